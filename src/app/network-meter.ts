// Request accounting for the privacy counter. The service worker (public/sw.js) sees every request of
// every tab and worker it controls and reports each one to the open pages, with the id of the client
// that made it, the bytes it carries (method, URL, headers, body) and the time it started. A page counts
// only its own clients: itself and its engine worker, whose ids it learns from the service worker.
// Requests that started while a training or prediction job ran are tallied separately, by that time
// rather than by when the report arrives, which can be later.

export interface SentRequest {
  method: string;
  url: string;
  bytes: number;
}

interface Report extends SentRequest {
  client: string;
  at: number;
}

export class NetworkMeter {
  /** Every report received, this page's and other tabs'; a client's earlier reports count once it is claimed. */
  private readonly reports: Report[] = [];
  /** The service worker's ids of this page and of its engine workers. */
  private readonly mine = new Set<string>();
  /** Each job's start and end (Date.now()); a running job ends at Infinity. */
  private readonly jobs: { start: number; end: number }[] = [];
  /** Whether this page's own requests reach the counter (a service worker controls it). */
  private pageMeasured = false;

  constructor(private readonly onChange: (meter: NetworkMeter) => void) {
    navigator.serviceWorker?.addEventListener('message', (e: MessageEvent) => {
      if (e.data?.type !== 'request') return;
      const { client, method, url, bytes, at } = e.data;
      this.reports.push({ client: String(client), method, url, bytes, at: Number(at) });
      if (this.mine.has(String(client))) this.onChange(this);
    });
  }

  /**
   * Starts counting for this page, given its service worker client id; without one (no service worker
   * controls the page, as after a hard reload) nothing is measured, and the counter says so.
   */
  start(pageClientId: string | undefined): void {
    this.pageMeasured = pageClientId !== undefined;
    this.claim(pageClientId);
  }

  /** Counts a client's requests (an engine worker's), earlier ones included, as this page's. */
  claim(clientId: string | undefined): void {
    if (clientId) this.mine.add(clientId);
    this.onChange(this);
  }

  /**
   * Whether the page's requests are being counted: false until start(), and when no service worker
   * controls the page (its engine worker may still be controlled, but the page's own requests are not seen).
   */
  get measuring(): boolean {
    return this.pageMeasured;
  }

  /** This page's requests so far. */
  get all(): SentRequest[] {
    return this.own();
  }

  /** This page's requests that started while a job ran. */
  get duringJobs(): SentRequest[] {
    return this.own().filter((r) => this.jobs.some((j) => r.at >= j.start && r.at <= j.end));
  }

  get sentDuringJobs(): number {
    return this.duringJobs.reduce((a, r) => a + r.bytes, 0);
  }

  private own(): Report[] {
    return this.reports.filter((r) => this.mine.has(r.client));
  }

  /** Runs a training or prediction job, counting what is sent while it runs. */
  async during<T>(job: () => Promise<T>): Promise<T> {
    const span = { start: Date.now(), end: Number.POSITIVE_INFINITY };
    this.jobs.push(span);
    try {
      return await job();
    } finally {
      span.end = Date.now();
      // A report of a request the job made may still be in flight: give it a turn to land before the
      // caller reads the counter.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

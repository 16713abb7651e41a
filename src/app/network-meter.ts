// Request accounting for the privacy counter. The service worker (public/sw.js) sees every request the
// page and its engine worker make and reports each one here with the bytes it carries (method, URL,
// headers, body) and the time it started. Requests that started while a training or prediction job ran
// are tallied separately, by that time rather than by when the report arrives, which can be later.

export interface SentRequest {
  method: string;
  url: string;
  bytes: number;
}

export class NetworkMeter {
  readonly all: SentRequest[] = [];
  readonly duringJobs: SentRequest[] = [];
  /** Each job's start and end (Date.now()); a running job ends at Infinity. */
  private readonly jobs: { start: number; end: number }[] = [];

  constructor(private readonly onChange: (meter: NetworkMeter) => void) {
    navigator.serviceWorker?.addEventListener('message', (e: MessageEvent) => {
      if (e.data?.type !== 'request') return;
      const r: SentRequest = { method: e.data.method, url: e.data.url, bytes: e.data.bytes };
      this.all.push(r);
      const at = Number(e.data.at);
      if (this.jobs.some((j) => at >= j.start && at <= j.end)) this.duringJobs.push(r);
      this.onChange(this);
    });
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

  get sentDuringJobs(): number {
    return this.duringJobs.reduce((a, r) => a + r.bytes, 0);
  }
}

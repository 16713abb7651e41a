// Request accounting for the privacy counter. The service worker (public/sw.js) sees every request the
// page and its engine worker make and reports each one here with the bytes it carries (method, URL,
// headers, body). Requests made while a training or prediction job runs are tallied separately.

export interface SentRequest {
  method: string;
  url: string;
  bytes: number;
}

export class NetworkMeter {
  readonly all: SentRequest[] = [];
  readonly duringJobs: SentRequest[] = [];
  private jobs = 0;

  constructor(private readonly onChange: (meter: NetworkMeter) => void) {
    navigator.serviceWorker?.addEventListener('message', (e: MessageEvent) => {
      if (e.data?.type !== 'request') return;
      const r: SentRequest = { method: e.data.method, url: e.data.url, bytes: e.data.bytes };
      this.all.push(r);
      if (this.jobs > 0) this.duringJobs.push(r);
      this.onChange(this);
    });
  }

  /** Runs a training or prediction job, counting what is sent while it runs. */
  async during<T>(job: () => Promise<T>): Promise<T> {
    this.jobs++;
    try {
      return await job();
    } finally {
      // Reports are posted as requests start, so anything the job sent has arrived by its end; the
      // extra turn lets a report still in flight land inside the job's window.
      await new Promise((resolve) => setTimeout(resolve, 50));
      this.jobs--;
    }
  }

  get sentDuringJobs(): number {
    return this.duringJobs.reduce((a, r) => a + r.bytes, 0);
  }
}

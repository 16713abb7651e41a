// A progress line for long commands: a bar, what is being done and the time left, rewritten in place
// with \r on a terminal; a log gets a new line at most once a minute, and the final one.

const clock = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

const LOG_EVERY_MS = 60_000;

export function progressBar(width = 24): {
  update(done: number, total: number, detail: string): void;
  finish(detail: string): void;
} {
  const started = performance.now();
  let last = '';
  let logged = started;
  const line = (fraction: number, detail: string, tail: string) => {
    const full = Math.round(Math.min(1, fraction) * width);
    return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${Math.round(100 * fraction)}% · ${detail} · ${tail}`;
  };
  return {
    update(done, total, detail) {
      const elapsed = performance.now() - started;
      const eta = done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
      last = line(done / total, detail, `ETA ${Number.isFinite(eta) ? clock(eta) : '…'}`);
      if (process.stdout.isTTY) process.stdout.write(`\r${last.padEnd(100)}`);
      else if (performance.now() - logged >= LOG_EVERY_MS) {
        logged = performance.now();
        process.stdout.write(`${last}\n`);
      }
    },
    finish(detail) {
      const text = line(1, detail, `took ${clock(performance.now() - started)}`);
      process.stdout.write(process.stdout.isTTY ? `\r${text.padEnd(100)}\n` : `${text}\n`);
    },
  };
}

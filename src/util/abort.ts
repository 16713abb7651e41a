// Waiting that an AbortSignal can end: the caller stops waiting at once with the signal's reason, while
// the work itself (a computation already under way) finishes in the background and is dropped.

/** `work`, or the signal's reason as soon as it aborts (at once if it already has). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => {}); // dropped: its outcome no longer matters
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

// Errors across the worker boundary. Comlink sends a thrown error's name, message and stack only, so
// the page rebuilds the engine's own error classes from their names (instanceof then works), and a
// worker that dies is reported as its own error rather than leaving calls waiting for ever.

import * as base from '../errors';

const CLASSES: Record<string, ErrorConstructor> = Object.fromEntries(
  Object.values(base).map((c) => [c.name, c as unknown as ErrorConstructor]),
);

/**
 * The error as the engine threw it: an instance of its class (by name, with the message, stack and
 * any other fields it carried), or the error itself when the name is not one of the engine's.
 */
export function rebuildError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const { name, message, stack } = e;
  const Class = CLASSES[name];
  if (!Class || e instanceof Class) return e;
  return Object.assign(Object.create(Class.prototype) as Error, e, { name, message, stack });
}

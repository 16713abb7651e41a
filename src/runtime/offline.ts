// Offline support: registers the service worker (public/sw.js) and hands it the files this page
// already loaded, so a reload works without a network. Model files are cached by the engine itself.

import { XpeftError } from '../errors';
import { BUILD } from '../version';

/** How long a first visit waits for a new service worker to take control of the page. */
const CONTROL_WAIT_MS = 3000;

/**
 * Registers the service worker under this build's name (`/sw.js?build=…`): each build keeps its files
 * in a cache of its own, and a new build's worker replaces the old one and drops its cache.
 * Resolves once the service worker controls the page and has copied the same-origin files loaded so
 * far; returns the URLs that could not be copied. Call it before starting a RemoteEngine: files the worker
 * fetches afterwards are kept as they load. It never blocks for long: after a hard reload (which
 * bypasses service workers, so the active one never takes control) or when control does not come within
 * a few seconds, it resolves with `controlled: false` and this visit is not copied.
 */
export async function enableOffline(
  scriptUrl = `/sw.js?build=${encodeURIComponent(BUILD)}`,
): Promise<{ failed: string[]; controlled: boolean }> {
  if (!('serviceWorker' in navigator))
    throw new XpeftError('This browser has no service workers, so the page cannot work offline.');
  const registered = await navigator.serviceWorker.register(scriptUrl, { type: 'classic', scope: '/' });
  // Already active yet not in control: a hard reload. No controllerchange will come for this page.
  const hardReload = registered.active !== null && !navigator.serviceWorker.controller;
  const registration = await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller && !hardReload) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CONTROL_WAIT_MS);
      navigator.serviceWorker.addEventListener(
        'controllerchange',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
  if (!navigator.serviceWorker.controller) return { failed: [], controlled: false };
  const urls = [location.href, ...performance.getEntriesByType('resource').map((e) => e.name)].filter(
    (u) => new URL(u).origin === location.origin && !new URL(u).pathname.startsWith('/models/'),
  );
  return new Promise((resolve, reject) => {
    const done = (e: MessageEvent) => {
      if (e.data?.type !== 'precached') return;
      clearTimeout(timer);
      navigator.serviceWorker.removeEventListener('message', done);
      resolve({ failed: (e.data.failed ?? []) as string[], controlled: true });
    };
    const timer = setTimeout(() => {
      navigator.serviceWorker.removeEventListener('message', done);
      reject(new XpeftError('The service worker did not confirm the offline copy within 30 s.'));
    }, 30_000);
    navigator.serviceWorker.addEventListener('message', done);
    registration.active!.postMessage({ type: 'precache', urls: [...new Set(urls)] });
  });
}

/** Answered by the service worker itself (public/sw.js) with the asking client's id; never sent on. */
const CLIENT_ID_PATH = '/__xpeft/client-id';

/**
 * This page's or worker's id as the service worker knows it, or undefined when no service worker
 * controls it. The service worker reports every request with the id of the client that made it, so a
 * page can count its own requests (and its engine worker's) and not those of other tabs.
 */
export async function serviceWorkerClientId(): Promise<string | undefined> {
  if (typeof document !== 'undefined' && !navigator.serviceWorker?.controller) return undefined;
  try {
    const answer = await fetch(CLIENT_ID_PATH, { cache: 'no-store' });
    return answer.headers.get('x-xpeft-client-id') || undefined;
  } catch {
    return undefined; // offline and not controlled
  }
}

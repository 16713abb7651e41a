// Offline support: registers the service worker (public/sw.js) and hands it the files this page
// already loaded, so a reload works without a network. Model files are cached by the engine itself.

import { XpeftError } from '../errors';

/**
 * Resolves once the service worker controls the page and has copied the same-origin files loaded so
 * far; returns the URLs that could not be copied. Call it before starting a RemoteEngine: files the worker
 * fetches afterwards are kept as they load.
 */
export async function enableOffline(scriptUrl = '/sw.js'): Promise<{ failed: string[] }> {
  if (!('serviceWorker' in navigator))
    throw new XpeftError('This browser has no service workers, so the page cannot work offline.');
  await navigator.serviceWorker.register(scriptUrl, { type: 'classic', scope: '/' });
  const registration = await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise<void>((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }),
    );
  }
  const urls = [location.href, ...performance.getEntriesByType('resource').map((e) => e.name)].filter(
    (u) => new URL(u).origin === location.origin && !new URL(u).pathname.startsWith('/models/'),
  );
  return new Promise((resolve, reject) => {
    const done = (e: MessageEvent) => {
      if (e.data?.type !== 'precached') return;
      clearTimeout(timer);
      navigator.serviceWorker.removeEventListener('message', done);
      resolve({ failed: (e.data.failed ?? []) as string[] });
    };
    const timer = setTimeout(() => {
      navigator.serviceWorker.removeEventListener('message', done);
      reject(new XpeftError('The service worker did not confirm the offline copy within 30 s.'));
    }, 30_000);
    navigator.serviceWorker.addEventListener('message', done);
    registration.active!.postMessage({ type: 'precache', urls: [...new Set(urls)] });
  });
}

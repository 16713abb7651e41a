// Service worker: keeps the app's own files so the page works offline after the first visit.
// Network first (online users always get fresh files), the cache when the network fails. Model and
// bank files are not kept here: the engine caches them itself, verified by sha256.
// Each build keeps its files in a cache of its own, named by the build the page registered this worker
// under (/sw.js?build=…, see src/runtime/offline.ts).
const CACHE = `xpeft-app-${new URL(self.location.href).searchParams.get('build') ?? 'dev'}`;

self.addEventListener('install', () => self.skipWaiting());
// Other builds' caches are dropped, so each deployment's hashed files do not pile up.
self.addEventListener('activate', (event) =>
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('xpeft-app-') && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  ),
);

// Whether a response may be kept: a whole (not partial, 206), same-origin (not opaque) answer that its
// server allows to be stored.
const keepable = (response) =>
  response.status === 200 &&
  response.type === 'basic' &&
  !(response.headers.get('cache-control') ?? '')
    .split(',')
    .some((directive) => directive.trim().toLowerCase() === 'no-store');

// A file already kept is not fetched again: offline that fetch would fail though the copy is there.
// The page that asks is kept whatever its query, as a navigation is answered with it whatever its query.
async function keep(cache, url, page) {
  if (await cache.match(url, { ignoreSearch: url === page })) return;
  const response = await fetch(url);
  if (!keepable(response)) throw new Error(`${url} cannot be kept`);
  await cache.put(url, response);
}

// The page sends the files it loaded before this worker controlled it.
self.addEventListener('message', (event) => {
  if (event.data?.type !== 'precache') return;
  // One by one, so a file that is gone (a 404) does not stop the others from being kept.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => Promise.allSettled(event.data.urls.map((url) => keep(cache, url, event.source?.url))))
      .then((results) =>
        event.source?.postMessage({
          type: 'precached',
          failed: event.data.urls.filter((_, i) => results[i].status === 'rejected'),
        }),
      ),
  );
});

// Every request of the page and its engine worker passes here, to any origin: each is reported to the
// open pages with the id of the client (page or worker) that made it. Each page's privacy counter adds
// up what its own clients sent (method, URL, the headers visible here, body), not other tabs'.
async function report(request, client, at) {
  const body =
    request.method === 'GET' || request.method === 'HEAD'
      ? 0
      : (await request.clone().arrayBuffer()).byteLength;
  let headers = 0;
  request.headers.forEach((value, name) => {
    headers += name.length + value.length + 4;
  });
  const bytes = request.method.length + request.url.length + headers + body;
  for (const page of await self.clients.matchAll({ type: 'window' }))
    page.postMessage({ type: 'request', client, method: request.method, url: request.url, bytes, at });
}

// A page or worker learns its client id by asking for this path; the answer never leaves the device.
const CLIENT_ID_PATH = '/__xpeft/client-id';

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin === self.location.origin && url.pathname === CLIENT_ID_PATH) {
    const headers = { 'x-xpeft-client-id': event.clientId, 'cache-control': 'no-store' };
    event.respondWith(new Response(null, { status: 204, headers }));
    return;
  }
  // Stamped when the request starts; a navigation belongs to the page it opens.
  event.waitUntil(report(event.request, event.clientId || event.resultingClientId, Date.now()));
  if (
    event.request.method !== 'GET' ||
    url.origin !== self.location.origin ||
    url.pathname.startsWith('/models/') ||
    url.pathname.endsWith('.safetensors')
  )
    return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (keepable(response) && !event.request.headers.has('range')) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(event.request, copy)));
        }
        return response;
      })
      // Offline: this build's copy. A page is the same page whatever its query (?backend=, ?threads=), so
      // a navigation is answered with the kept page even when the first visit had another query.
      .catch(async () => {
        const cache = await caches.open(CACHE);
        const ignoreSearch = event.request.mode === 'navigate';
        return (await cache.match(event.request, { ignoreSearch })) ?? Response.error();
      }),
  );
});

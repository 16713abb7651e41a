// Service worker: keeps the app's own files so the page works offline after the first visit.
// Network first (online users always get fresh files), the cache when the network fails. Model and
// bank files are not kept here: the engine caches them itself, verified by sha256.
const CACHE = 'xpeft-app-v1';

self.addEventListener('install', () => self.skipWaiting());
// Older versions' caches are dropped, so each deployment's hashed files do not pile up.
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

// The page sends the files it loaded before this worker controlled it.
self.addEventListener('message', (event) => {
  if (event.data?.type !== 'precache') return;
  // One by one, so a file that is gone (a 404) does not stop the others from being kept.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => Promise.allSettled(event.data.urls.map((url) => cache.add(url))))
      .then((results) =>
        event.source?.postMessage({
          type: 'precached',
          failed: event.data.urls.filter((_, i) => results[i].status === 'rejected'),
        }),
      ),
  );
});

// Every request of the page and its engine worker passes here, to any origin: each is reported to the
// open pages, whose privacy counter adds up what was sent (method, URL, the headers visible here, body).
async function report(request, at) {
  const body =
    request.method === 'GET' || request.method === 'HEAD'
      ? 0
      : (await request.clone().arrayBuffer()).byteLength;
  let headers = 0;
  request.headers.forEach((value, name) => {
    headers += name.length + value.length + 4;
  });
  const bytes = request.method.length + request.url.length + headers + body;
  for (const client of await self.clients.matchAll({ type: 'window' }))
    client.postMessage({ type: 'request', method: request.method, url: request.url, bytes, at });
}

self.addEventListener('fetch', (event) => {
  event.waitUntil(report(event.request, Date.now())); // stamped when the request starts
  const url = new URL(event.request.url);
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
        // Only whole, same-origin answers: never partial (206) or opaque responses.
        if (response.status === 200 && response.type === 'basic' && !event.request.headers.has('range')) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(event.request, copy)));
        }
        return response;
      })
      .catch(async () => (await caches.match(event.request, { ignoreSearch: false })) ?? Response.error()),
  );
});

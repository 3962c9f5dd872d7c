// The service worker: the app shell from the cache when the network is gone, an offline page for a page load
// without network, and push notifications (shown, and opening the proposal on tap).
// Only static files of this origin are cached — never /api or /hubs: nothing one member saw can be shown to the
// next one on a shared phone.
const shell = 'board-shell-v1';
const offlinePage = '/offline.html';
const precache = ['/', '/index.html', '/styles.css', '/app.js', '/favicon.svg', offlinePage, '/manifest.webmanifest',
  '/icons/icon-192.png', '/i18n/en.json', '/i18n/ko.json'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(shell).then((cache) => cache.addAll(precache)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== shell) await caches.delete(name);
    await self.clients.claim();
  })());
});

function cacheable(url) {
  return url.origin === self.location.origin && !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/hubs/')
    && !url.pathname.startsWith('/openapi') && !url.pathname.startsWith('/scalar') && !url.pathname.startsWith('/health')
    && !url.pathname.startsWith('/metrics');
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (!cacheable(url)) return;
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(async () => (await caches.match(offlinePage)) ?? Response.error()));
    return;
  }
  // Network first, so a new release is used at once; the cached copy when the network is gone.
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.ok && response.type === 'basic') {
        const copy = response.clone();
        event.waitUntil(caches.open(shell).then((cache) => cache.put(request, copy)));
      }
      return response;
    } catch (error) {
      const cached = await caches.match(request);
      if (cached) return cached;
      throw error;
    }
  })());
});

self.addEventListener('push', (event) => {
  let message;
  try {
    message = event.data?.json();
  } catch {
    message = null;
  }
  if (!message?.title) return;
  event.waitUntil(self.registration.showNotification(message.title, {
    body: message.body ?? '',
    tag: message.tag,
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    data: { url: message.url },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  // Only a page of this origin: a payload cannot send the phone elsewhere.
  const target = new URL(event.notification.data?.url ?? '/', self.location.origin);
  const url = target.origin === self.location.origin ? target.href : self.location.origin + '/';
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
    if (open) {
      await open.focus();
      return open.navigate(url);
    }
    return self.clients.openWindow(url);
  })());
});

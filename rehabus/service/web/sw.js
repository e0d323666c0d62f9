// The rider page's service worker (served at /rider/sw.js, scope /rider): the page's shell is
// kept at install, and what the page reads to show the rider's upcoming trips (who is signed in,
// their riders and places, their bookings and messages, the map's open layers) is fetched from
// the network first and kept, so that offline the last known answer is shown (the page says it
// is offline: the worker tells it which answers were kept ones). Bookings, cancellations,
// searches and the live streams always go to the network. The page deletes the kept answers
// when someone signs out or in, or when the service refuses the sign-in (401).
"use strict";

const SHELL_CACHE = "rehabus-rider-shell-v1";
const DATA_CACHE = "rehabus-rider-data";
const SHELL = [
  "/rider",
  "/web/rider.js",
  "/web/common.js",
  "/web/app.css",
  "/web/vendor/leaflet/leaflet.js",
  "/web/vendor/leaflet/leaflet.css",
  "/web/manifest.webmanifest",
  "/web/icon-192.png",
  "/web/icon-512.png",
  "/web/icon-maskable-512.png",
];
const KEPT = [
  /^\/v1\/me$/,
  /^\/v1\/riders$/,
  /^\/v1\/riders\/[^/]+\/places$/,
  /^\/v1\/bookings$/,
  /^\/v1\/notifications$/,
  /^\/v1\/geo\/[^/]+\/(districts|roads)$/,
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("rehabus-rider-shell-") && n !== SHELL_CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

// Tell the page whether what it reads is fresh ("fresh") or as last kept ("kept"), so that it
// can say so and ask again.
async function tell(clientId, kind, key) {
  const client = clientId && (await self.clients.get(clientId));
  client?.postMessage({ source: "rehabus-rider-sw", kind, key });
}

// The network's answer, kept in ``cacheName``; the kept one when the network cannot be reached.
async function networkFirst(event, cacheName, key) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(event.request);
    if (response.ok) {
      await cache.put(key, response.clone());
      if (cacheName === DATA_CACHE) tell(event.clientId, "fresh", key);
    }
    return response;
  } catch (error) {
    const kept = await cache.match(key, { ignoreVary: true });
    if (!kept) throw error;
    if (cacheName === DATA_CACHE) tell(event.clientId, "kept", key);
    return kept;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === "/rider") {
    event.respondWith(networkFirst(event, SHELL_CACHE, "/rider"));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(networkFirst(event, SHELL_CACHE, url.pathname));
  } else if (KEPT.some((pattern) => pattern.test(url.pathname))) {
    event.respondWith(networkFirst(event, DATA_CACHE, url.pathname + url.search));
  }
});

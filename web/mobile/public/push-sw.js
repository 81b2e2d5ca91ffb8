/* Web Push for /m/ (imported by the generated sw.js: vite.mobile.config.ts, workbox.importScripts).
   The payload is the server's {kind, text} (tenants/notices/push.py), decrypted by the browser;
   a tap opens the notification centre. */
self.addEventListener("push", (event) => {
  let message = { kind: "notice", text: "您有一条新消息" };
  try {
    if (event.data) message = event.data.json();
  } catch {
    /* not JSON: the default text */
  }
  event.waitUntil(
    self.registration.showNotification("红网格", {
      body: message.text,
      tag: message.kind,
      icon: "/m/icons/icon-192.png",
      data: { url: "/m/notices" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data.url));
});

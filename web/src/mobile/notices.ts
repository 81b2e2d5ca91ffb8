/**
 * The caller's live unread notification count, shared by the tab bar's badge and the
 * notification centre: one `unreadNotificationCount` subscription, which the server answers at
 * once from the database (so a reconnect is right at once) and again on every change.
 */
import { ref, type Ref } from "vue";

import type { Api } from "../api";
import { MobileUnreadCount } from "./documents";

const unread = ref(0);
let stop: (() => void) | null = null;

export function followUnread(api: Api): Ref<number> {
  stop ??= api.follow(MobileUnreadCount, () => ({}), (data) => {
    unread.value = data.unreadNotificationCount;
  });
  return unread;
}

/** The browser's push subscription, as the server takes it. */
export interface PushKeys {
  endpoint: string;
  p256dh: string;
  auth: string;
}

function base64url(bytes: ArrayBuffer | null): string {
  if (!bytes) return "";
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export function pushSupported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** This browser's current push subscription, if it has one. */
export async function currentPush(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null;
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

/** Ask for permission and subscribe this browser with the server's VAPID key. */
export async function subscribeBrowser(serverKey: string): Promise<PushKeys> {
  if ((await Notification.requestPermission()) !== "granted") throw new Error("未允许通知");
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: fromBase64url(serverKey),
  });
  return {
    endpoint: subscription.endpoint,
    p256dh: base64url(subscription.getKey("p256dh")),
    auth: base64url(subscription.getKey("auth")),
  };
}

import { createApp } from "vue";

import { Api } from "../api";
import { Auth, loadConfig } from "../auth";
import App from "./App.vue";
import { MobileMe } from "./documents";
import { Outbox } from "./outbox";
import { makeRouter } from "./router";
import { SESSION, type Me } from "./session";
import { tabsFor } from "./tabs";
import "./mobile.css";

/**
 * The caller as the API last answered on this phone (his roles pick the tabs), asked again in
 * the background: the app starts without waiting for a round trip, and without signal. When
 * the answer differs (another role, another grid), the app starts again with it.
 */
async function whoAmI(api: Api, subject: string): Promise<Me> {
  const key = `redgrid-m:me:${subject}`;
  const fresh = api.query(MobileMe).then(({ me }) => {
    window.localStorage.setItem(key, JSON.stringify(me));
    return me;
  });
  const stored = window.localStorage.getItem(key);
  if (!stored) return fresh;
  fresh
    .then((me) => {
      if (JSON.stringify(me) !== stored) window.location.reload();
    })
    .catch(() => undefined); // no signal: the stored answer stands
  return JSON.parse(stored) as Me;
}

async function start(): Promise<void> {
  // A phone keeps its login across app restarts (the wall keeps it per tab).
  const auth = new Auth(await loadConfig(), window.localStorage);
  const user = await auth.login();
  const api = new Api(() => auth.token());
  const me = await whoAmI(api, user.profile.sub);
  const tabs = tabsFor(me.roles);
  const outbox = await Outbox.open(api, me.subject);
  const app = createApp(App);
  app.provide(SESSION, { api, me, tabs, outbox, logout: () => void auth.logout() });
  app.use(makeRouter(tabs));
  app.mount("#app");
  outbox.start();
  if ("serviceWorker" in navigator) {
    // The app shell works without signal; a new build takes over on the next start.
    navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL }).catch(() => undefined);
  }
}

start().catch((error: unknown) => {
  const app = document.getElementById("app");
  if (app) app.textContent = `无法登录：${String(error)}`;
});

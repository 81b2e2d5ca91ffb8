import { createApp } from "vue";

import { Api } from "../api";
import { Auth, loadConfig } from "../auth";
import App from "./App.vue";
import { MobileMe } from "./documents";
import { Outbox } from "./outbox";
import { makeRouter } from "./router";
import { SESSION } from "./session";
import { tabsFor } from "./tabs";
import "./mobile.css";

async function start(): Promise<void> {
  // A phone keeps its login across app restarts (the wall keeps it per tab).
  const auth = new Auth(await loadConfig(), window.localStorage);
  await auth.login();
  const api = new Api(() => auth.token());
  const me = (await api.query(MobileMe)).me;
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

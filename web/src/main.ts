import { createApp } from "vue";

import { Api } from "./api";
import { Auth, loadConfig } from "./auth";
import TenantWall from "./components/TenantWall.vue";
import "./style.css";

async function start(): Promise<void> {
  const auth = new Auth(await loadConfig());
  await auth.login();
  const api = new Api(() => auth.token());
  createApp(TenantWall, { api, logout: () => void auth.logout() }).mount("#app");
}

start().catch((error: unknown) => {
  const app = document.getElementById("app");
  if (app) app.textContent = `无法登录：${String(error)}`;
});

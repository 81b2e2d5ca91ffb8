import { createApp } from "vue";

import { Api } from "./api";
import { Auth, loadConfig } from "./auth";
import DistrictWall from "./components/DistrictWall.vue";
import TenantWall from "./components/TenantWall.vue";
import { WallStart } from "./documents";
import "./style.css";

async function start(): Promise<void> {
  const auth = new Auth(await loadConfig());
  await auth.login();
  const api = new Api(() => auth.token());
  // A district admin (no tenant of his own) gets his district's wall, whatever the path.
  const me = (await api.query(WallStart)).me;
  const district = !me.tenant && me.districtSlug !== null;
  if (district && window.location.pathname !== "/wall/district") window.history.replaceState(null, "", "/wall/district");
  createApp(district ? DistrictWall : TenantWall, { api, logout: () => void auth.logout() }).mount("#app");
}

start().catch((error: unknown) => {
  const app = document.getElementById("app");
  if (app) app.textContent = `无法登录：${String(error)}`;
});

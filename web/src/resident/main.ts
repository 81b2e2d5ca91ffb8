/**
 * The residents' public pages (/r/…): no login, no token of any user. /r/<street> reports a
 * problem (category, what, where, a photo); /r/<street>/t#<token> follows the case and rates it
 * once it is resolved (links.ts).
 */
import { createApp, h } from "vue";

import { Api } from "../api";
import "../mobile/mobile.css";
import "./resident.css";
import { route } from "./links";
import ReportPage from "./ReportPage.vue";
import TrackPage from "./TrackPage.vue";

const api = new Api(() => "");
const here = route(window.location.pathname, window.location.hash);
const app = document.getElementById("app");
if (here === null) {
  if (app) app.textContent = "链接无效：请从街道公布的二维码或链接进入。";
} else {
  createApp({
    render: () =>
      here.page === "report" ? h(ReportPage, { api, street: here.street }) : h(TrackPage, { api, street: here.street, token: here.token }),
  }).mount("#app");
}

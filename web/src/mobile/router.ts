/**
 * The router of /m/ (history under the base /m/): one route per tab the caller has, plus pages
 * reached from a tab (a case). A path the caller's roles have no tab for goes to his first tab.
 * Other parts of /m/ add their pages to PAGES (not tabs) or a tab in tabs.ts.
 */
import { createRouter, createWebHistory, type RouteRecordRaw, type Router } from "vue-router";

import type { Tab } from "./tabs";

/** Pages that are not tabs: reached from a tab, open to every role (the API decides). */
export const PAGES: RouteRecordRaw[] = [
  { path: "/case/:id", name: "case", component: () => import("./views/CaseView.vue"), props: true },
];

export function makeRouter(tabs: readonly Tab[]): Router {
  const first = tabs[0]?.path ?? "/me";
  const routes: RouteRecordRaw[] = [
    { path: "/", redirect: first },
    ...tabs.map((tab): RouteRecordRaw => ({ path: tab.path, name: tab.key, component: tab.view, meta: { tab: tab.key } })),
    ...PAGES,
    { path: "/:rest(.*)*", redirect: first },
  ];
  return createRouter({ history: createWebHistory(import.meta.env.BASE_URL), routes });
}

/**
 * The one place that says which tabs each role sees, in order. A user with several roles gets
 * the union, in the order of TABS. The server stays the authority: a tab only groups what its
 * role may do, and every action on it is still checked (and may be refused) by the API.
 *
 * To add a tab: a `Tab` in TABS (its view loaded lazily, so it costs nothing on the first
 * load), then its key in the roles that see it below.
 */
import type { Component } from "vue";

import type { Role } from "../gql/graphql";
// The first tab of most roles comes with the app itself: on a slow network a lazy view is
// one more round trip before the list can even be asked for.
import InboxView from "./views/InboxView.vue";
import TasksView from "./views/TasksView.vue";

export type TabKey =
  | "tasks"
  | "inbox"
  | "report"
  | "visits"
  | "duty"
  | "knock"
  | "overview"
  | "catalogue"
  | "requests"
  | "needs"
  | "notices"
  | "me";

export interface Tab {
  key: TabKey;
  /** The path under /m/ (the router's base). */
  path: string;
  title: string;
  /** A Vant icon name. */
  icon: string;
  view: () => Promise<Component | { default: Component }>;
}

export const TABS: readonly Tab[] = [
  { key: "overview", path: "/overview", title: "概览", icon: "chart-trending-o", view: () => import("./views/OverviewView.vue") },
  { key: "inbox", path: "/inbox", title: "待处理", icon: "todo-list-o", view: () => Promise.resolve(InboxView) },
  { key: "tasks", path: "/tasks", title: "我的任务", icon: "orders-o", view: () => Promise.resolve(TasksView) },
  { key: "report", path: "/report", title: "上报", icon: "add-o", view: () => import("./views/ReportView.vue") },
  { key: "visits", path: "/visits", title: "入户", icon: "home-o", view: () => import("./views/VisitsView.vue") },
  { key: "duty", path: "/duty", title: "值班", icon: "clock-o", view: () => import("./views/DutyView.vue") },
  { key: "knock", path: "/knock", title: "敲门", icon: "home-o", view: () => import("./views/KnockView.vue") },
  { key: "catalogue", path: "/catalogue", title: "共享", icon: "shop-o", view: () => import("./views/CatalogueView.vue") },
  { key: "requests", path: "/requests", title: "申请", icon: "exchange", view: () => import("./views/ShareRequestsView.vue") },
  { key: "needs", path: "/needs", title: "需求", icon: "gift-o", view: () => import("./views/NeedsView.vue") },
  { key: "notices", path: "/notices", title: "消息", icon: "bell", view: () => import("./views/NoticesView.vue") },
  { key: "me", path: "/me", title: "我的", icon: "user-o", view: () => import("./views/MeView.vue") },
];

/** 网格员 / 网格长 / 下沉人员 / 志愿者 / 书记 / 单位联络员: what each role's phone shows. */
export const ROLE_TABS: Partial<Record<Role, readonly TabKey[]>> = {
  GRID_WORKER: ["tasks", "report", "visits", "duty", "notices", "me"],
  GRID_HEAD: ["inbox", "tasks", "report", "visits", "notices", "me"],
  DEPT_STAFF: ["tasks", "duty", "notices", "me"],
  VOLUNTEER: ["report", "knock", "notices", "me"],
  SECRETARY: ["overview", "inbox", "catalogue", "requests", "needs", "notices", "me"],
  UNIT_CONTACT: ["catalogue", "requests", "needs", "notices", "me"],
};

/** The tabs of a user with these roles (the union, in TABS order); ["me"] for any other role. */
export function tabsFor(roles: readonly Role[]): Tab[] {
  const keys = new Set<TabKey>(roles.flatMap((role) => ROLE_TABS[role] ?? []));
  keys.add("me");
  return TABS.filter((tab) => keys.has(tab.key));
}

/**
 * Where a resident's pages are: /r/<street> to report, /r/<street>/t#<token> to follow his
 * case. The token stays in the fragment, which the browser never sends: no server log, no
 * Referer carries it.
 */
import { Unavailable } from "../api";

export type ResidentRoute = { page: "report"; street: string } | { page: "track"; street: string; token: string } | null;

const SLUG = /^[a-z][a-z0-9-]{1,62}$/;

export function route(pathname: string, hash: string): ResidentRoute {
  const [street, page, ...rest] = pathname.replace(/^\/r\/?/, "").split("/").filter(Boolean);
  if (!street || !SLUG.test(street) || rest.length) return null;
  if (page === undefined) return { page: "report", street };
  const token = hash.replace(/^#/, "");
  return page === "t" && token ? { page: "track", street, token } : null;
}

export function trackingLink(origin: string, street: string, token: string): string {
  return `${origin}/r/${street}/t#${token}`;
}

export const STATE_NAMES: Record<string, string> = {
  REPORTED: "已上报",
  ACCEPTED: "已受理",
  CONSULTING: "会商中",
  DISPATCHED: "已派单",
  IN_PROGRESS: "处置中",
  RESOLVED: "已办结",
  VERIFIED: "已核查",
  CLOSED: "已关闭",
};

/** What a resident is told when a request could not be answered. */
export function failure(error: unknown): string {
  if (error instanceof Unavailable && error.status === 429) return "操作过于频繁，请稍后再试。";
  if (error instanceof TypeError) return "网络不可用，请稍后再试。";
  return "提交失败，请稍后再试。";
}

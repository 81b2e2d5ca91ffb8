/**
 * What the phone's pages compute for themselves: names in zh-CN, SLA countdowns, which grid
 * cell holds a point. The server decides everything else (src/mobile/outbox.ts sends, the API
 * answers `actions` and typed errors).
 */
import type { CaseAction, CaseDeadline, CaseState, GridScope } from "../gql/graphql";

export const STATE_NAMES: Record<CaseState, string> = {
  REPORTED: "已上报",
  ACCEPTED: "已受理",
  CONSULTING: "会商中",
  DISPATCHED: "已派遣",
  IN_PROGRESS: "处置中",
  RESOLVED: "已办结",
  VERIFIED: "已核验",
  CLOSED: "已关闭",
};

export const DEADLINE_NAMES: Record<CaseDeadline, string> = {
  ON_SCENE: "到场",
  RESOLVE: "办结",
  ANSWER: "答复",
};

/** The actions a phone offers, in the order its buttons show; REFER stays on the desk. */
export const ACTION_NAMES: Partial<Record<CaseAction, string>> = {
  ACCEPT: "受理",
  DISPATCH: "派遣",
  CONSULT: "会商",
  START: "开始处置",
  RESOLVE: "办结",
  VERIFY: "核验",
  CLOSE: "关闭",
  RETURN: "退回",
  ESCALATE: "上报上级",
  REOPEN: "重新打开",
};

/** "剩 1小时05分" or "超时 3分" (whole minutes; seconds only in the last minute). */
export function countdown(dueIso: string, now: number): { text: string; late: boolean } {
  const ms = Date.parse(dueIso) - now;
  const late = ms < 0;
  const seconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  let span: string;
  if (days) span = `${days}天${hours}小时`;
  else if (hours) span = `${hours}小时${String(minutes).padStart(2, "0")}分`;
  else if (minutes) span = `${minutes}分`;
  else span = `${seconds % 60}秒`;
  return { text: late ? `超时 ${span}` : `剩 ${span}`, late };
}

type Ring = number[][];
type Polygon = Ring[];

/** Ray casting on one ring ([lng, lat] pairs, GeoJSON order). */
function inRing(ring: Ring, lng: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi! > lat !== yj! > lat && lng < ((xj! - xi!) * (lat - yi!)) / (yj! - yi!) + xi!) inside = !inside;
  }
  return inside;
}

/** Whether a GeoJSON Polygon or MultiPolygon holds the point (outside its holes). */
export function contains(boundary: unknown, lng: number, lat: number): boolean {
  const shape = boundary as { type?: string; coordinates?: unknown } | null;
  const polygons: Polygon[] =
    shape?.type === "Polygon"
      ? [shape.coordinates as Polygon]
      : shape?.type === "MultiPolygon"
        ? (shape.coordinates as Polygon[])
        : [];
  return polygons.some(
    ([outer, ...holes]) => outer !== undefined && inRing(outer, lng, lat) && !holes.some((hole) => inRing(hole, lng, lat)),
  );
}

/** The deepest cell whose boundary holds the point, or null. */
export function cellAt<T extends { level: number; boundary?: unknown }>(nodes: readonly T[], lng: number, lat: number): T | null {
  let best: T | null = null;
  for (const node of nodes) {
    if (node.boundary && contains(node.boundary, lng, lat) && (!best || node.level > best.level)) best = node;
  }
  return best;
}

/**
 * Whether a grid scope reaches a node (its path): a subtree its own nodes, the tenant and no
 * scope every node (where the API decides by role, as for volunteers' reports).
 */
export function reaches(scope: Pick<GridScope, "kind" | "path">, path: string): boolean {
  if (scope.kind !== "SUBTREE" || !scope.path) return true;
  return path === scope.path || path.startsWith(`${scope.path}.`);
}

/** The wall's state rules, kept free of Vue and sockets so vitest can check them directly. */

export type CaseState =
  | "REPORTED"
  | "ACCEPTED"
  | "CONSULTING"
  | "DISPATCHED"
  | "IN_PROGRESS"
  | "RESOLVED"
  | "VERIFIED"
  | "CLOSED";

/** One line of the live case feed. */
export interface FeedItem {
  caseId: string;
  number: string;
  title: string;
  state: CaseState | null;
  priority: string | null;
  path: string | null;
  overdue: boolean;
  /** When the case last moved (ISO time): the feed is newest first. */
  at: string;
}

/** What a CaseEvent or a `cases` row tells the feed. */
export interface CaseChange {
  seq?: number;
  type: string;
  caseId: string;
  number?: string | null;
  title?: string | null;
  state?: CaseState | null;
  priority?: string | null;
  path?: string | null;
  /** Whether a deadline has passed (a `cases` row knows; an event says CASE_OVERDUE). */
  overdue?: boolean;
  at: string;
}

/**
 * The case feed: at most `limit` cases, newest change first, one line per case.
 *
 * Events arrive at least once, and a query's page may overlap them, so the feed keeps the
 * last seq it applied (the `after` of the next subscription) and ignores anything at or
 * below it, and merges by case id rather than appending.
 */
export class CaseFeed {
  items: FeedItem[] = [];
  lastSeq: number | null = null;

  constructor(private readonly limit = 30) {}

  /** A live event; false when it was a duplicate or a replay of one already applied. */
  applyEvent(change: CaseChange): boolean {
    if (change.seq !== undefined) {
      if (this.lastSeq !== null && change.seq <= this.lastSeq) return false;
      this.lastSeq = change.seq;
    }
    this.merge(change);
    return true;
  }

  /** A row of the initial `cases` page: older news never overwrites a newer event. */
  applyRow(change: CaseChange): void {
    const known = this.items.find((item) => item.caseId === change.caseId);
    if (known && known.at >= change.at) return;
    this.merge(change);
  }

  private merge(change: CaseChange): void {
    const index = this.items.findIndex((item) => item.caseId === change.caseId);
    const before = index >= 0 ? this.items.splice(index, 1)[0] : undefined;
    const item: FeedItem = {
      caseId: change.caseId,
      number: change.number ?? before?.number ?? "",
      title: change.title ?? before?.title ?? "",
      state: change.state ?? before?.state ?? null,
      priority: change.priority ?? before?.priority ?? null,
      path: change.path ?? before?.path ?? null,
      overdue: change.type === "CASE_OVERDUE" || (change.overdue ?? before?.overdue ?? false),
      at: change.at,
    };
    if (item.state === "CLOSED") item.overdue = false;
    const at = this.items.findIndex((other) => other.at < item.at);
    this.items.splice(at < 0 ? this.items.length : at, 0, item);
    if (this.items.length > this.limit) this.items.length = this.limit;
  }
}

/** How long a closed socket may take to come back before the wall says it is stale: the
 * server closes it when the access token it was opened with expires (every few minutes), and
 * the wall reconnects at once with the renewed one. */
export const RECONNECT_GRACE_MS = 2000;

/**
 * Live while a heartbeat came within two intervals and the socket is up, or was down for less
 * than the grace period (`downSince`: when it closed, null while it is up); stale otherwise.
 */
export function isLive(downSince: number | null, lastBeat: number | null, now: number, intervalMs: number): boolean {
  const connected = downSince === null || now - downSince < RECONNECT_GRACE_MS;
  return connected && lastBeat !== null && now - lastBeat <= 2 * intervalMs;
}

/** The wait before the next reconnect: doubling from 0.5 s, at most 10 s. */
export function backoffMs(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt));
}

export const STATE_LABELS: Record<CaseState, string> = {
  REPORTED: "已上报",
  ACCEPTED: "已受理",
  CONSULTING: "研判中",
  DISPATCHED: "已派单",
  IN_PROGRESS: "处置中",
  RESOLVED: "已办结",
  VERIFIED: "已核验",
  CLOSED: "已归档",
};

/** Grid changes that can move the party-organisation coverage chart (units' changes cannot). */
export function movesCoverage(type: string): boolean {
  return type.startsWith("GRID_");
}

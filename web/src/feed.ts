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
  /** When its first unmet deadline is due (ISO time; Case.nextDue), null when none or not known yet. */
  due: string | null;
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
  /** Case.nextDue when known (a `cases` row; an event does not carry it: null leaves it). */
  due?: string | null;
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
      due: change.due !== undefined ? change.due : (before?.due ?? null),
    };
    if (item.state === "CLOSED") {
      item.overdue = false;
      item.due = null;
    }
    const at = this.items.findIndex((other) => other.at < item.at);
    this.items.splice(at < 0 ? this.items.length : at, 0, item);
    if (this.items.length > this.limit) this.items.length = this.limit;
  }

  /** The case's next deadline, looked up after an event moved it; false if it left the feed. */
  setDue(caseId: string, due: string | null): boolean {
    const item = this.items.find((other) => other.caseId === caseId);
    if (item) item.due = item.state === "CLOSED" ? null : due;
    return item !== undefined;
  }
}

/** An SLA countdown: "12:34" left (minutes:seconds, or hours when more than an hour),
 * "-05:12" past due; "" without a deadline. */
export function countdown(due: string | null, now: number): string {
  if (!due) return "";
  const left = Math.round((Date.parse(due) - now) / 1000);
  const s = Math.abs(left);
  const two = (n: number): string => String(n).padStart(2, "0");
  const text =
    s >= 3600 ? `${Math.floor(s / 3600)}时${two(Math.floor((s % 3600) / 60))}分` : `${two(Math.floor(s / 60))}:${two(s % 60)}`;
  return left < 0 ? `-${text}` : text;
}

/** The map cell a case at `path` falls in: its ancestor (or itself) at the map's `level`. */
export function cellOf(path: string, level: number): string | null {
  const parts = path.split(".");
  return parts.length >= level ? parts.slice(0, level).join(".") : null;
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

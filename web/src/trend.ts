/**
 * The 30-day trend's rules, free of Vue and sockets so vitest can check them directly.
 *
 * The history comes from the `caseTrend` query. Today's point is the latest exact count the
 * server gave (the query's, or a FIGURES event's reportedToday, closedToday and overdueCases,
 * whichever was taken later), plus the case events (CASE_CREATED, a transition to CLOSED)
 * committed after that count: so it moves at once with each case, and the next figures
 * event makes it exact again. A new local day rolls the window.
 */

export interface TrendDay {
  day: string;
  reported: number;
  closed: number;
  overdue: number;
}

/** An exact count of today's cases, taken at `asOf` (ms). */
interface Count {
  day: string;
  reported: number;
  closed: number;
  overdue: number;
  asOf: number;
}

/** The local date (YYYY-MM-DD) of an instant in the trend's time zone. */
export function localDay(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** The day after a YYYY-MM-DD date. */
export function nextDay(day: string): string {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

export class CaseTrend {
  /** Every day but today, oldest first, as the query gave them. */
  private history: TrendDay[] = [];
  private base: Count | null = null;
  /** Case events later than `base`: what today's point adds to it. */
  private pending: { seq: number; at: number; reported: number; closed: number }[] = [];
  private timeZone = "Asia/Shanghai";
  private size = 0;

  /** The `caseTrend` query's answer. */
  load(timeZone: string, days: readonly TrendDay[], asOf: string): void {
    this.timeZone = timeZone;
    this.size = days.length;
    const today = days[days.length - 1];
    if (!today) return;
    this.history = days.slice(0, -1).map((day) => ({ ...day }));
    if (this.base && this.base.day !== today.day) this.base = null;
    this.setBase({ ...today, asOf: Date.parse(asOf) });
  }

  /** A FIGURES event's (or the keyFigures query's) today's counts. */
  applyFigures(figures: { reportedToday: number; closedToday: number; overdueCases: number; asOf: string }): void {
    const asOf = Date.parse(figures.asOf);
    const day = localDay(asOf, this.timeZone);
    if (!this.base || day !== this.base.day) return; // not loaded yet, or of another day
    const { reportedToday: reported, closedToday: closed, overdueCases: overdue } = figures;
    this.setBase({ day, reported, closed, overdue, asOf });
  }

  /** A case event the feed applied (once each: the feed drops replays of seqs it saw). */
  applyEvent(seq: number, type: string, state: string | null | undefined, at: string): void {
    const reported = type === "CASE_CREATED" ? 1 : 0;
    const closed = type === "CASE_TRANSITIONED" && state === "CLOSED" ? 1 : 0;
    const when = Date.parse(at);
    this.roll(when); // the first case of a new day may come before the clock's tick
    if (!this.base || (!reported && !closed) || when <= this.base.asOf) return;
    if (localDay(when, this.timeZone) !== this.base.day) return;
    if (this.pending.some((event) => event.seq === seq)) return;
    this.pending.push({ seq, at: when, reported, closed });
  }

  /** At a new local day, yesterday's point stays as it ended and today's starts from nought
   * (its overdue cases are still overdue). True when it rolled. */
  roll(now: number): boolean {
    if (!this.base) return false;
    const day = localDay(now, this.timeZone);
    if (day <= this.base.day) return false;
    while (this.base.day < day) {
      const ended = this.today();
      this.history.push(ended);
      this.base = { day: nextDay(ended.day), reported: 0, closed: 0, overdue: ended.overdue, asOf: this.base.asOf };
      this.pending = [];
    }
    this.history = this.size > 1 ? this.history.slice(-(this.size - 1)) : [];
    return true;
  }

  /** The window, oldest first, today last. */
  get days(): TrendDay[] {
    return this.base ? [...this.history, this.today()] : [];
  }

  private today(): TrendDay {
    const base = this.base as Count;
    const later = this.pending.filter((event) => event.at > base.asOf);
    return {
      day: base.day,
      reported: base.reported + later.reduce((n, event) => n + event.reported, 0),
      closed: base.closed + later.reduce((n, event) => n + event.closed, 0),
      overdue: base.overdue,
    };
  }

  private setBase(count: Count): void {
    if (this.base && this.base.day === count.day && count.asOf < this.base.asOf) return; // older news
    this.base = count;
    this.pending = this.pending.filter((event) => event.at > count.asOf);
  }
}

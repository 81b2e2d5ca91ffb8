"""Case indicators as digital city management (数字城管) judges a street by: received, registered,
due, closed, closure rate, closed on time, on-time closure rate, rework rate and satisfaction
rate, grouped by grid node (rolled up to a level), worker, team, department, category, source or
street, and by local day, week or month. docs/indicators.md defines each one.

The rules are the SQL conditions of `RULES`: each indicator counts the cases whose deciding
timestamp falls in the period and that meet its condition. The API, the XLSX export and the
key figures of the wall (`tenants/figures.py`: closure and on-time closure rates over 30 days)
all count through `counts_sql`, so the wall and a report can never disagree.

A request is answered by one statement that PostgreSQL aggregates: each case in scope gives one
fact per deciding timestamp (a LATERAL VALUES row), facts are bucketed into local periods and
grouped. Scope is the caller's tenant and grid subtree, or a district's streets in a
`district_transaction`; its size is bounded (MAX_PERIODS periods, MAX_ROWS rows) before or while
it runs, never after the work is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from redgrid.platform.context import Forbidden, RequestContext, ScopeKind
from redgrid.platform.database import connection, is_postgres
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.tenants.people.tags import LOCAL_TIME
from redgrid.tenants.tabular import write_xlsx

READERS = ("secretary", "grid-head")  # in a street; a district's admins read through the district
DIMENSIONS = ("total", "grid", "worker", "team", "department", "category", "source", "street")
# Dimensions that name a person or a street's own teams: not for a district's eyes (counts of
# streets, grids, categories, sources and departments only).
TENANT_ONLY = ("worker", "team")
DISTRICT_ONLY = ("street",)
PERIODS = ("whole", "day", "week", "month")
MAX_PERIODS = 366  # a year by day, 30 years by month
MAX_ROWS = 2_000  # periods × groups in one answer
MAX_LEVEL = 6
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
SATISFIED = 4  # of the resident's 1–5: satisfied (4) or very satisfied (5)

# The deciding timestamps: which one puts a case's fact in a period.
RECEIVED, DUE, RATED = "created_at", "answer_due", "satisfaction_at"
LATE = (
    "c.overdue_on_scene_at IS NOT NULL OR c.overdue_resolve_at IS NOT NULL OR c.overdue_answer_at IS NOT NULL"
    " OR c.resolved_at > c.resolve_due OR c.answered_at > c.answer_due"
)
# indicator → (its deciding timestamp, the condition a case meets to count; None: every case)
RULES: dict[str, tuple[str, str | None]] = {
    "received": (RECEIVED, None),
    "registered": (RECEIVED, "c.state <> 'reported'"),
    "due": (DUE, None),
    "closed": (DUE, "c.closed_at IS NOT NULL"),
    "closedOnTime": (DUE, f"c.closed_at IS NOT NULL AND NOT ({LATE})"),
    "reworked": (DUE, "c.reopened > 0"),
    "rated": (RATED, "c.satisfaction IS NOT NULL"),
    "satisfied": (RATED, f"c.satisfaction >= {SATISFIED}"),
}
COUNTS = tuple(RULES)
# rate → (numerator, denominator)
RATES = {
    "closureRate": ("closed", "due"),
    "onTimeClosureRate": ("closedOnTime", "due"),
    "reworkRate": ("reworked", "due"),
    "satisfactionRate": ("satisfied", "rated"),
}
_FACT = {RECEIVED: "r", DUE: "d", RATED: "a"}
# Each count's column in `case_day` (tenants/cases/rollup.py).
DAY_COLUMNS = {name: "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in name) for name in RULES}


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` as a fraction, four decimals; None when there is no whole."""
    return round(part / whole, 4) if whole else None


def rates(counts: dict[str, int]) -> dict[str, float | None]:
    """The rates of raw counts (summed first when several groups or streets are totalled)."""
    return {rate: share(counts[part], counts[whole]) for rate, (part, whole) in RATES.items()}


@dataclass(frozen=True)
class IndicatorQuery:
    first: date  # local days, both inclusive
    last: date
    dimension: str = "total"
    period: str = "whole"
    level: int | None = None  # the grid level the "grid" dimension rolls cases up to


@dataclass(frozen=True)
class IndicatorRow:
    period: date  # the first local day of the period (the range's first day for "whole")
    street: str | None  # the street's slug, where groups are kept apart by street
    key: str | None  # the group: a grid path, username, team id, department id, category code, source
    label: str | None  # the group's name where it has one
    counts: dict[str, int]

    @property
    def rates(self) -> dict[str, float | None]:
        return rates(self.counts)


def period_start(day: date, period: str) -> date:
    """The first day of the period (local days; weeks start on Monday, as ISO's)."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ValueError(period)


def periods_between(first: date, last: date, period: str) -> list[date]:
    """The starts of the periods from `first` to `last` (inclusive), in order."""
    if period == "whole":
        return [first]
    starts, day = [], period_start(first, period)
    while day <= last:
        starts.append(day)
        day = (
            day + timedelta(days=1 if period == "day" else 7)
            if period != "month"
            else (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        )
    return starts


def check_query(query: IndicatorQuery, *, district: bool) -> None:
    """Refuse what a hostile caller could ask for: unknown names, a reversed or unbounded range,
    more than MAX_PERIODS periods; a grouping not offered at the caller's level."""
    errors: list[UserError] = []
    offered = [d for d in DIMENSIONS if d not in (TENANT_ONLY if district else DISTRICT_ONLY)]
    if query.dimension not in offered:
        errors.append(UserError("groupBy", "INVALID_GROUPING", f"one of {', '.join(offered)}"))
    if query.period not in PERIODS:
        errors.append(UserError("period", "INVALID_PERIOD", f"one of {', '.join(PERIODS)}"))
    if not (EARLIEST <= query.first <= query.last <= LATEST):
        errors.append(UserError("from", "INVALID_RANGE", f"from ≤ to, both between {EARLIEST} and {LATEST}"))
    elif query.period in PERIODS and len(periods_between(query.first, query.last, query.period)) > MAX_PERIODS:
        errors.append(UserError("to", "TOO_MANY_PERIODS", f"at most {MAX_PERIODS} periods: narrow the range"))
    if query.level is not None and not 1 <= query.level <= MAX_LEVEL:
        errors.append(UserError("level", "INVALID_LEVEL", f"a grid level from 1 to {MAX_LEVEL}"))
    if errors:
        raise InvalidInput(*errors)


def local_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """From the local midnight starting `first` to the one ending `last`, as UTC instants."""
    start = datetime.combine(first, time(), LOCAL_TIME).astimezone(UTC)
    return start, datetime.combine(last + timedelta(days=1), time(), LOCAL_TIME).astimezone(UTC)


class _Params:
    """Numbered parameters in the connection's dialect ($n for PostgreSQL, ?n for SQLite)."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return ("$" if self.postgres else "?") + str(len(self.values))

    def many(self, values: list[Any]) -> str:
        return "(" + ", ".join(self(v) for v in values) + ")" if values else "(NULL)"


def _in_range(column: str, start: str, end: str) -> str:
    return f"{column} >= {start} AND {column} < {end}"


def _group(dimension: str, level: int) -> tuple[str, str]:
    """The group's key expression over a case `c` and its node `n` (text), and the street it is
    kept apart for (NULL when groups span the streets of a district)."""
    if dimension == "grid":
        return f"array_to_string((string_to_array(n.path, '.'))[1:{level}], '.')", "c.tenant_id"
    if dimension == "worker":
        return "CASE WHEN c.assignee_kind IN ('grid_worker', 'dept_staff') THEN c.assignee END", "c.tenant_id"
    if dimension == "team":
        return "CASE WHEN c.assignee_kind = 'duty_team' THEN c.assignee END", "c.tenant_id"
    if dimension == "department":
        return "c.department_id::text", "NULL::bigint"
    if dimension == "category":
        return "cc.code", "NULL::bigint"
    if dimension == "source":
        return "c.source", "NULL::bigint"
    if dimension == "street":
        return "NULL::text", "c.tenant_id"
    return "NULL::text", "NULL::bigint"


# The group's name, joined to the aggregated rows `g` (key `g.k`, street `g.t`).
_LABELS = {
    "grid": ("ln.name", "LEFT JOIN grid_node ln ON ln.tenant_id = g.t AND ln.path = g.k"),
    "team": ("lt.name", "LEFT JOIN duty_team lt ON lt.tenant_id = g.t AND lt.id::text = g.k"),
    "department": ("ld.name", "LEFT JOIN district_department ld ON ld.id::text = g.k"),
    "category": ("g.category_name", ""),
    "street": ("ls.name", "LEFT JOIN tenant ls ON ls.id = g.t"),
}


def _tallies() -> str:
    """Each count of RULES over the facts `f` (kind `f.k`) of the cases `c`."""
    return ",\n  ".join(
        f"count(*) FILTER (WHERE f.k = '{_FACT[ts]}'{f' AND {cond}' if cond else ''}) AS \"{name}\""
        for name, (ts, cond) in RULES.items()
    )


# One fact per deciding timestamp of each case `c`: (kind, at).
_FACTS = "CROSS JOIN LATERAL (VALUES " + ", ".join(f"('{_FACT[ts]}', c.{ts})" for ts in _FACT) + ") AS f(k, at)"
_LOCAL_DAY = f"(f.at AT TIME ZONE '{LOCAL_TIME.key}')::date"


def periods_sql(
    tenant_ids: list[int], query: IndicatorQuery, *, subtree: str | None, level: int, rolled: Sequence[int] = ()
) -> tuple[str, list[Any]]:
    """The one PostgreSQL statement answering `query` over the cases of `tenant_ids` (and of
    the grid subtree `subtree`, when given): a row per (period, street, group) with at least
    one fact, in order, at most MAX_ROWS + 1 of them (one more tells the caller he asked for
    too much). The streets of `rolled` (grouped by street or not at all: "street" or "total")
    are read from their days (tenants/cases/rollup.py), the others from their cases."""
    p = _Params(True)
    start, end = local_bounds(query.first, query.last)
    s, e = p(start), p(end)
    key, street = _group(query.dimension, level)
    if query.period == "whole":
        bucket = day_bucket = f"{p(query.first)}::date"
    else:
        bucket = f"date_trunc('{query.period}', f.at AT TIME ZONE '{LOCAL_TIME.key}')::date"
        day_bucket = f"date_trunc('{query.period}', d.day::timestamp)::date"
    live = [t for t in tenant_ids if t not in rolled]
    where = [f"c.tenant_id IN {p.many(live)}"]
    if subtree is not None:
        where.append(f"(n.path = {p(subtree)} OR left(n.path, {len(subtree) + 1}) = {p(subtree + '.')})")
    where.append("(" + " OR ".join(f"({_in_range('c.' + ts, s, e)})" for ts in _FACT) + ")")
    label, join = _LABELS.get(query.dimension, ("NULL::text", ""))
    category = ", min(cc.name) AS category_name" if query.dimension == "category" else ""
    days = ""
    if rolled:
        sums = ", ".join(f'sum(d.{column})::bigint AS "{name}"' for name, column in DAY_COLUMNS.items())
        days = f"""
UNION ALL
SELECT {day_bucket} AS period, {street.replace("c.", "d.")} AS t, NULL::text AS k, {sums}
FROM case_day d
WHERE d.tenant_id IN {p.many(list(rolled))} AND d.day >= {p(query.first)} AND d.day <= {p(query.last)}
GROUP BY 1, 2, 3"""
    sql = f"""WITH g AS (
SELECT {bucket} AS period, {street} AS t, {key} AS k{category},
  {_tallies()}
FROM grid_case c
JOIN grid_node n ON n.id = c.node_id
JOIN case_category cc ON cc.id = c.category_id
{_FACTS}
WHERE {" AND ".join(where)} AND {_in_range("f.at", s, e)}
GROUP BY 1, 2, 3{days}
)
SELECT g.*, ts.slug AS street, {label} AS label
FROM g LEFT JOIN tenant ts ON ts.id = g.t {join}
ORDER BY g.period, ts.slug NULLS FIRST, g.k NULLS LAST
LIMIT {MAX_ROWS + 1}"""
    return sql, p.values


def day_counts_sql(tenant_id: int) -> tuple[str, list[Any]]:
    """The statement that writes a street's `case_day` rows: its counts per local day, by the
    same RULES (tenants/cases/rollup.py)."""
    columns = ", ".join(DAY_COLUMNS.values())
    sql = f"""INSERT INTO case_day (tenant_id, day, {columns})
SELECT $1, {_LOCAL_DAY}, {_tallies()}
FROM grid_case c
{_FACTS}
WHERE c.tenant_id = $1 AND f.at IS NOT NULL
GROUP BY 2"""
    return sql, [tenant_id]


def counts_sql(tenant_ids: list[int], start: datetime, end: datetime, postgres: bool) -> tuple[str, list[Any]]:
    """The counts of each street over [start, end), whole: what the key figures show. The same
    RULES as `periods_sql`, each fact's window a filter, so it runs on SQLite too."""
    p = _Params(postgres)
    s, e = p(start), p(end)
    tallies = ",\n  ".join(
        f'count(*) FILTER (WHERE {_in_range("c." + ts, s, e)}{f" AND {cond}" if cond else ""}) AS "{name}"'
        for name, (ts, cond) in RULES.items()
    )
    where = " OR ".join(f"({_in_range('c.' + ts, s, e)})" for ts in _FACT)
    sql = f"""SELECT c.tenant_id AS t,
  {tallies}
FROM grid_case c
WHERE c.tenant_id IN {p.many(tenant_ids)} AND ({where})
GROUP BY c.tenant_id"""
    return sql, p.values


async def street_counts(tenant_ids: list[int], start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """Each street's counts over [start, end), in the caller's tenant or district transaction:
    one statement whatever the number of streets."""
    conn = connection()
    sql, values = counts_sql(tenant_ids, start, end, is_postgres(conn))
    rows = {r["t"]: r for r in await conn.execute_query_dict(sql, values)}
    return {t: {name: int((rows.get(t) or {}).get(name) or 0) for name in COUNTS} for t in tenant_ids}


ROLLED_UP = ("street", "total")  # the groupings a street's days answer


async def rows_of(
    tenant_ids: list[int], query: IndicatorQuery, subtree: str | None, level: int, rolled: list[int] | None = None
) -> list[IndicatorRow]:
    """The rows of `query` over these tenants' cases, read from the days of the tenants of
    `rolled` where the grouping allows it."""
    conn = connection()
    if not is_postgres(conn):
        raise InvalidInput(UserError("groupBy", "UNSUPPORTED", "grouped case indicators need PostgreSQL"))
    usable = rolled if rolled and subtree is None and query.dimension in ROLLED_UP else []
    sql, values = periods_sql(tenant_ids, query, subtree=subtree, level=level, rolled=usable)
    rows = await conn.execute_query_dict(sql, values)
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            UserError(
                "groupBy", "TOO_MANY_ROWS", f"more than {MAX_ROWS} periods × groups: narrow the range or grouping"
            )
        )
    return [
        IndicatorRow(
            period=r["period"],
            street=r["street"],
            key=r["k"],
            label=r["label"],
            counts={name: int(r[name]) for name in COUNTS},
        )
        for r in rows
    ]


def _level(ctx: RequestContext, level: int | None) -> tuple[str | None, int]:
    """The subtree the caller sees (None: the whole tenant) and the level to roll grids up to:
    his own node's at the least (an ancestor above his grid is not his to name)."""
    scope = ctx.scope
    if scope.kind is ScopeKind.NONE or (scope.kind is ScopeKind.SUBTREE and scope.path is None):
        raise Forbidden("you have no grid assigned")
    subtree = scope.path if scope.kind is ScopeKind.SUBTREE else None
    own = subtree.count(".") + 1 if subtree else 1
    return subtree, max(level or own, own)


async def case_indicators(ctx: RequestContext, query: IndicatorQuery) -> list[IndicatorRow]:
    """The indicators of the caller's street (a secretary or a grid head, within his grid), in
    the caller's tenant transaction."""
    tenant = ctx.require_tenant()
    ctx.require_role(*READERS)
    check_query(query, district=False)
    subtree, level = _level(ctx, query.level)
    return await rows_of([tenant.id], query, subtree, level)


# The export's columns: DCM's names, in the order the counts and rates are defined.
SHEET_COLUMNS = (
    ("period", "周期"),
    ("street", "街道"),
    ("key", "分组"),
    ("label", "名称"),
    ("received", "上报数"),
    ("registered", "立案数"),
    ("due", "应结案数"),
    ("closed", "结案数"),
    ("closureRate", "结案率"),
    ("closedOnTime", "按期结案数"),
    ("onTimeClosureRate", "按期结案率"),
    ("reworked", "返工数"),
    ("reworkRate", "返工率"),
    ("rated", "评价数"),
    ("satisfied", "满意数"),
    ("satisfactionRate", "满意率"),
)


def export_xlsx(rows: list[IndicatorRow]) -> bytes:
    """The rows as a spreadsheet: counts and rates (0 to 1) as numbers, every text hardened by
    tenants/tabular.py (grid and team names are typed by officials: never a live formula)."""

    def cells(row: IndicatorRow) -> list[Any]:
        values: dict[str, Any] = {
            "period": row.period.isoformat(),
            "street": row.street,
            "key": row.key,
            "label": row.label,
            **row.counts,
            **row.rates,
        }
        return [values[name] for name, _ in SHEET_COLUMNS]

    return write_xlsx("case-indicators", [header for _, header in SHEET_COLUMNS], (cells(r) for r in rows))

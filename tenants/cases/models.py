"""Cases (事件/工单) and their closed loop: discover → consult → dispose → feedback → evaluate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from tortoise import fields

from redgrid.platform.models import DistrictDepartment, TenantOwned

if TYPE_CHECKING:
    from redgrid.tenants.grid.models import GridNode

SOURCES = ("patrol", "resident_report", "hotline_12345", "camera", "inspection", "home_visit")
PRIORITIES = ("low", "normal", "high", "urgent")
# `line_dept`: a case referred to a line department of the district (action `refer`, not
# dispatch); its assignee is the department's id.
DISTRICT_DEPARTMENT = "line_dept"
ASSIGNEE_KINDS = ("grid_worker", "duty_team", "dept_staff", DISTRICT_DEPARTMENT)
# What a district department's staff reach (platform/database.py's department policies): the
# cases referred to their department, and what hangs off them.
_REFERRED = "SELECT {column} FROM grid_case WHERE department_id = {{department}}"
ESCALATION_LEVELS = ("grid", "community", "street", "department")
DEADLINES = ("on_scene", "resolve", "answer")
# The reporter of a case a resident reported on the public page, without an account: no
# username has a ':' (tenants/accounts/rules.py), so nobody is taken for him.
RESIDENT = "resident:public"
# Who gave a case's satisfaction: the resident himself through his tracking link, or a manager
# typing in what the resident said on the phone (verify).
RATED_BY_RESIDENT = "resident"
RATED_BY_STAFF = "staff"


class CaseCategory(TenantOwned):
    """A category of the tenant's taxonomy, with its default "3-1" deadlines in minutes."""

    # A district's case indicators group its streets' cases by category (tenants/cases/indicators.py).
    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=32)
    name = fields.CharField(max_length=100)
    on_scene_minutes = fields.IntField(default=10)
    resolve_minutes = fields.IntField(default=60)
    answer_minutes = fields.IntField(default=1440)
    # A simple problem its grid workers handle themselves (`handle`), not dispatched.
    self_handle = fields.BooleanField(default=False, db_default=False)  # raw inserts (0009) too

    department_rls: ClassVar[dict[str, str]] = {"SELECT": f"id IN ({_REFERRED.format(column='category_id')})"}
    department_lookup: ClassVar[str | None] = "cases__department_id"

    class Meta:
        table = "case_category"
        unique_together = (("tenant", "code"),)


class SlaRule(TenantOwned):
    """Deadlines for one priority of one category, overriding the category's defaults."""

    id = fields.BigIntField(primary_key=True)
    category: fields.ForeignKeyRelation[CaseCategory] = fields.ForeignKeyField(
        "redgrid.CaseCategory", related_name="sla_rules", on_delete=fields.CASCADE
    )
    priority = fields.CharField(max_length=10)
    on_scene_minutes = fields.IntField()
    resolve_minutes = fields.IntField()
    answer_minutes = fields.IntField()

    class Meta:
        table = "sla_rule"
        unique_together = (("category", "priority"),)


class Case(TenantOwned):
    """One case. `version` rises with every transition: a change based on an older version
    is refused, so concurrent hands can never overwrite each other."""

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    number = fields.CharField(max_length=32)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    category: fields.ForeignKeyRelation[CaseCategory] = fields.ForeignKeyField(
        "redgrid.CaseCategory", related_name="cases", on_delete=fields.RESTRICT
    )
    source = fields.CharField(max_length=20)
    priority = fields.CharField(max_length=10, default="normal")
    node: fields.ForeignKeyRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="cases", on_delete=fields.RESTRICT
    )
    address = fields.CharField(max_length=300, default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    state = fields.CharField(max_length=20, default="reported")
    version = fields.IntField(default=1)
    escalation = fields.CharField(max_length=12, default="grid")
    reporter = fields.CharField(max_length=128)
    assignee_kind = fields.CharField(max_length=12, null=True)
    assignee = fields.CharField(max_length=128, null=True)
    on_scene_due = fields.DatetimeField()
    resolve_due = fields.DatetimeField()
    answer_due = fields.DatetimeField()
    on_scene_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    answered_at = fields.DatetimeField(null=True)
    overdue_on_scene_at = fields.DatetimeField(null=True)
    overdue_resolve_at = fields.DatetimeField(null=True)
    overdue_answer_at = fields.DatetimeField(null=True)
    satisfaction = fields.SmallIntField(null=True)
    satisfaction_comment = fields.TextField(default="")
    satisfaction_by = fields.CharField(max_length=8, null=True)  # RATED_BY_RESIDENT or RATED_BY_STAFF
    satisfaction_at = fields.DatetimeField(null=True)
    # How many times the case was reopened after verification or closing: rework (返工), which
    # the case indicators count (tenants/cases/indicators.py).
    reopened = fields.SmallIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    closed_at = fields.DatetimeField(null=True)
    # The district department the case was last referred to; kept when the department hands it
    # back (it still sees what it worked on), cleared when the street gives it to anyone else.
    department: fields.ForeignKeyNullableRelation[DistrictDepartment] = fields.ForeignKeyField(
        "redgrid.DistrictDepartment", related_name="cases", null=True, on_delete=fields.RESTRICT
    )

    department_rls: ClassVar[dict[str, str]] = dict.fromkeys(("SELECT", "UPDATE"), "department_id = {department}")
    department_lookup: ClassVar[str | None] = "department_id"

    class Meta:
        table = "grid_case"
        unique_together = (("tenant", "number"),)
        indexes = (("tenant_id", "state"), ("tenant_id", "node_id"), ("tenant_id", "assignee"), ("department_id",))


class CaseTransition(TenantOwned):
    """A line of the case's timeline: who, when, from which state to which, and why."""

    id = fields.BigIntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "redgrid.Case", related_name="timeline", on_delete=fields.CASCADE
    )
    version = fields.IntField()  # the case's version this transition produced
    action = fields.CharField(max_length=20)
    from_state = fields.CharField(max_length=20, null=True)
    to_state = fields.CharField(max_length=20)
    actor = fields.CharField(max_length=128)
    note = fields.TextField(default="")
    at = fields.DatetimeField(auto_now_add=True)

    department_rls: ClassVar[dict[str, str]] = dict.fromkeys(
        ("SELECT", "INSERT"), f"case_id IN ({_REFERRED.format(column='id')})"
    )
    department_lookup: ClassVar[str | None] = "case__department_id"

    class Meta:
        table = "case_transition"
        unique_together = (("case", "version"),)


class CaseAttachment(TenantOwned):
    """A photo of a case, its bytes in the attachment storage.

    `storage_key` is a key the platform made, and `content_type` is what the bytes are (their
    magic numbers), not what the client said.
    """

    id = fields.BigIntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "redgrid.Case", related_name="attachments", on_delete=fields.RESTRICT
    )
    storage_key = fields.CharField(max_length=128, unique=True)
    filename = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=32)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    uploaded_by = fields.CharField(max_length=128)
    created_at = fields.DatetimeField(auto_now_add=True)

    # A department's staff see a referred case's photos, as its assignee does; they add none.
    department_rls: ClassVar[dict[str, str]] = {"SELECT": f"case_id IN ({_REFERRED.format(column='id')})"}
    department_lookup: ClassVar[str | None] = "case__department_id"

    class Meta:
        table = "case_attachment"
        indexes = (("tenant_id", "case_id"),)


class PublicReport(TenantOwned):
    """A case a resident reported on the public page, without an account. Its tracking token is
    kept only as its SHA-256: whoever holds the link sees the case's public view and rates it
    once (`rated_at`); the database alone gives no link away."""

    id = fields.BigIntField(primary_key=True)
    case: fields.OneToOneRelation[Case] = fields.OneToOneField(
        "redgrid.Case", related_name="public_report", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    rated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "public_report"


class CaseDay(TenantOwned):
    """A street's case indicators of one local day, as last computed from its cases
    (tenants/cases/rollup.py): what a district's indicators by street read instead of a year
    of cases. Counts only."""

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    received = fields.IntField()
    registered = fields.IntField()
    due = fields.IntField()
    closed = fields.IntField()
    closed_on_time = fields.IntField()
    reworked = fields.IntField()
    rated = fields.IntField()
    satisfied = fields.IntField()

    class Meta:
        table = "case_day"
        unique_together = (("tenant", "day"),)


class CaseDayMark(TenantOwned):
    """The mark of the street's `cases` topic its `CaseDay` rows were computed at, and when:
    they are used only while it is still the topic's mark."""

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    watermark: fields.JSONField[Any] = fields.JSONField()
    computed_at = fields.DatetimeField()

    class Meta:
        table = "case_day_mark"
        unique_together = (("tenant",),)

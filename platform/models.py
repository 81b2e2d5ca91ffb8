"""Platform-owned tables (districts, their departments, tenants) and the base of every
tenant-owned table."""

from __future__ import annotations

from typing import Any, ClassVar

from tortoise import fields
from tortoise.models import Model


class District(Model):
    """A district (区) hosting many streets and towns, not tenant-owned."""

    id = fields.BigIntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "district"


class DistrictDepartment(Model):
    """A district's line department (区职能部门), to which a street refers the cases it cannot
    handle itself. Not tenant-owned: it serves every street of its district."""

    id = fields.BigIntField(primary_key=True)
    district: fields.ForeignKeyRelation[District] = fields.ForeignKeyField(
        "redgrid.District", related_name="departments", on_delete=fields.RESTRICT
    )
    slug = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "district_department"
        unique_together = (("district", "slug"),)


class DistrictDepartmentMember(Model):
    """A department's staff member: a Keycloak user with the `dept-staff` role, his district and
    no tenant. Keyed by username (immutable in the realm), one department per user."""

    id = fields.BigIntField(primary_key=True)
    department: fields.ForeignKeyRelation[DistrictDepartment] = fields.ForeignKeyField(
        "redgrid.DistrictDepartment", related_name="members", on_delete=fields.CASCADE
    )
    username = fields.CharField(max_length=128, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "district_department_member"


class Tenant(Model):
    """One street (街道) or town (镇). Its id is what `app.tenant_id` holds in a transaction."""

    id = fields.BigIntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=16, default="street")  # street | town
    district: fields.ForeignKeyRelation[District] = fields.ForeignKeyField(
        "redgrid.District", related_name="tenants", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tenant"


class TenantOwned(Model):
    """Base of every tenant-owned table.

    `redgrid migrate` finds every subclass and puts the row-level security policy on its table,
    so a new tenant-owned table cannot be forgotten (tests/integration/test_isolation.py checks).
    """

    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "redgrid.Tenant", related_name=False, on_delete=fields.RESTRICT, db_index=False
    )
    # A setting that, when 'on' in a transaction, lets system code see every tenant's rows
    # of this table (None: never). Only trusted background code sets it.
    rls_bypass_setting: ClassVar[str | None] = None
    # What a district department's staff (no tenant) may do with rows of this table: SQL
    # conditions by command, `{department}` standing for the transaction's department
    # (`department_transaction`); and the Tortoise lookup from a row to the department its case
    # was referred to, which the per-request loaders filter by. Empty: nothing.
    department_rls: ClassVar[dict[str, str]] = {}
    department_lookup: ClassVar[str | None] = None
    # True on the tables a district's overview reads: their rows are also readable (SELECT
    # only) in a `district_transaction` of the tenant's district (platform/database.py).
    district_readable: ClassVar[bool] = False
    # What another street may do with rows of this table, beside the tenant policy: SQL
    # conditions by command (permissive policies, tenants/sharing/models.py), and a condition
    # every insert must also meet (a restrictive policy). Empty: nothing.
    sharing_rls: ClassVar[dict[str, str]] = {}
    sharing_insert_check: ClassVar[str | None] = None

    class Meta:
        abstract = True


class Account(TenantOwned):
    """A person's standing in one tenant: the Keycloak subject and the grid subtree they act in.

    Keycloak is the identity store: the user, his realm role, his tenant attribute, whether he
    may sign in; every token is judged against it (platform/auth/user_status.py). The fine
    scope (which grid subtree) lives here. `role`, `enabled` and `email` are what RedGrid last
    wrote to Keycloak (tenants/accounts/), kept so an account list needs no call per user.
    Keyed by username (immutable in the realm) so a scope can be assigned before the first
    login, and the subject is recorded when the user first calls.
    """

    id = fields.BigIntField(primary_key=True)
    subject = fields.CharField(max_length=64, default="")
    username = fields.CharField(max_length=128)
    display_name = fields.CharField(max_length=200, default="")
    role = fields.CharField(max_length=16, default="")  # a tenant role; "" before RedGrid knew it
    email = fields.CharField(max_length=254, default="")
    enabled = fields.BooleanField(default=True)
    grid_scope: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    # A unit contact's unit: the one unit whose resources and requests he keeps.
    unit: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "redgrid.JointUnit", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account"
        unique_together = (("tenant", "username"),)


class Event(TenantOwned):
    """A domain event: the transactional outbox and, once sequenced, the replay log.

    A service writes it in the same transaction as the change it describes, so a rolled-back
    change never produces one. The publisher then gives it the next sequence number of its
    topic (`seq`), pushes it to every replica's hub, and stamps `published_at`. Kept for the
    replay window (clients reconnecting with their last `seq`), then pruned.
    """

    # The publisher reads every tenant's outbox; this setting, which only it sets, lets it.
    rls_bypass_setting: ClassVar[str] = "app.event_publisher"
    # A department's staff announce their work on a case referred to them, to its street's
    # case topic and to their department's (platform/events.py), and nothing else; reading
    # back what they wrote (INSERT … RETURNING) needs the same rule for SELECT.
    department_rls: ClassVar[dict[str, str]] = dict.fromkeys(
        ("SELECT", "INSERT"),
        "topic IN ('t' || tenant_id || '.cases', 'dept' || {department} || '.cases') AND (tenant_id, payload->>'id') "
        "IN (SELECT tenant_id, id::text FROM grid_case WHERE department_id = {department})",
    )
    # A street announces a sharing request's step to the other street of the request too, on
    # that street's sharing topic; the request's own policy decides which requests it may name.
    sharing_rls: ClassVar[dict[str, str]] = dict.fromkeys(
        ("SELECT", "INSERT"),
        "topic = 't' || tenant_id || '.sharing' AND payload->>'requestId' IN (SELECT r.id::text FROM "
        "share_request r WHERE r.tenant_id = event.tenant_id OR r.owner_tenant_id = event.tenant_id)",
    )

    id = fields.BigIntField(primary_key=True)
    topic = fields.CharField(max_length=64)
    type = fields.CharField(max_length=64)
    path = fields.CharField(max_length=400, null=True)
    payload: fields.JSONField[Any] = fields.JSONField()
    seq = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    published_at = fields.DatetimeField(null=True)

    class Meta:
        table = "event"
        unique_together = (("topic", "seq"),)
        indexes = (("seq", "id"), ("published_at", "seq"))


class IdempotentRequest(TenantOwned):
    """A mutation sent with an `Idempotency-Key` header, and the response it got.

    Written in the transaction of the mutation itself (platform/idempotency.py): the row is
    inserted before the mutation runs, so a concurrent request with the same key waits on the
    unique index and then replays; its response is stored before the commit, so the writes and
    the record exist together or not at all. Purged after the retention window.
    """

    id = fields.BigIntField(primary_key=True)
    subject = fields.CharField(max_length=64)  # the caller's Keycloak subject
    key = fields.CharField(max_length=64)
    request_hash = fields.CharField(max_length=64)  # SHA-256 of the document, variables and files
    response = fields.TextField(null=True)  # the JSON of the result's `data`, once it ran
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotent_request"
        unique_together = (("tenant", "subject", "key"),)
        indexes = (("created_at",),)


class DepartmentIdempotentRequest(Model):
    """`IdempotentRequest` for a district department's staff, who have no tenant: the same
    record, scoped by their department instead (a platform table, like the department's members)."""

    id = fields.BigIntField(primary_key=True)
    department: fields.ForeignKeyRelation[DistrictDepartment] = fields.ForeignKeyField(
        "redgrid.DistrictDepartment", related_name=False, on_delete=fields.CASCADE
    )
    subject = fields.CharField(max_length=64)
    key = fields.CharField(max_length=64)
    request_hash = fields.CharField(max_length=64)
    response = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "department_idempotent_request"
        unique_together = (("department", "subject", "key"),)
        indexes = (("created_at",),)


class TopicSequence(Model):
    """The last sequence number handed out per topic (in PostgreSQL, not Redis, so a Redis
    restart can never reset it)."""

    topic = fields.CharField(max_length=64, primary_key=True)
    last_seq = fields.BigIntField(default=0)

    class Meta:
        table = "topic_sequence"

"""The register of grid workers (its nodes and posts in tables of their own), and people linked
to their accounts: a grid node's head, sinking staff and volunteers each get a nullable link to
an `account` of their tenant, at most one record per account.

Nothing typed is lost. A node's typed head name and phone stay (they name heads without an
account); a node whose head name is the username or the display name of exactly one account
of its tenant is linked to that account. Staff and volunteers already carrying a username are
linked to the account of that username, where one exists and (staff) no other staff member
of the tenant carries the same username; the others keep their username, unlinked, and are
logged by id for a secretary to link."""

import logging
from typing import Any

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint

log = logging.getLogger(__name__)

_MATCHES = (
    "FROM account a WHERE a.tenant_id = grid_node.tenant_id"
    " AND (a.username = trim(grid_node.head_name)"
    " OR (a.display_name <> '' AND a.display_name = trim(grid_node.head_name)))"
)
LINK_HEADS = (
    f"UPDATE grid_node SET head_account_id = (SELECT a.id {_MATCHES})"
    f" WHERE head_account_id IS NULL AND trim(head_name) <> '' AND (SELECT count(*) {_MATCHES}) = 1"
)
_ONE_STAFF = (
    "(SELECT count(*) FROM sinking_staff o WHERE o.tenant_id = sinking_staff.tenant_id"
    " AND o.username = sinking_staff.username) = 1"
)
_ACCOUNT_OF = "(SELECT a.id FROM account a WHERE a.tenant_id = {t}.tenant_id AND a.username = {t}.username)"
LINK_STAFF = (
    f"UPDATE sinking_staff SET account_id = {_ACCOUNT_OF.format(t='sinking_staff')}"
    f" WHERE account_id IS NULL AND username <> '' AND {_ONE_STAFF}"
)
LINK_VOLUNTEERS = (
    f"UPDATE volunteer SET account_id = {_ACCOUNT_OF.format(t='volunteer')}"
    " WHERE account_id IS NULL AND username IS NOT NULL AND username <> ''"
)
UNLINKED = {
    "sinking_staff": "SELECT id FROM sinking_staff WHERE account_id IS NULL AND username <> ''",
    "volunteer": "SELECT id FROM volunteer WHERE account_id IS NULL AND username IS NOT NULL AND username <> ''",
}


async def link_accounts(apps, schema_editor) -> None:
    client = schema_editor.client
    for statement in (LINK_HEADS, LINK_STAFF, LINK_VOLUNTEERS):
        await client.execute_query(statement)
    for table, query in UNLINKED.items():
        ids = [r["id"] for r in await client.execute_query_dict(query)]
        if ids:  # ids only: usernames are personal data
            log.warning("%s %s: username kept, no account of it to link (yet)", table, ids[:50])


async def _has_column(client: Any, table: str, column: str) -> bool:
    if client.capabilities.dialect == "postgres":
        rows = await client.execute_query_dict(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
            f" AND table_name = '{table}' AND column_name = '{column}'"
        )
        return bool(rows)
    return any(r["name"] == column for r in await client.execute_query_dict(f'PRAGMA table_info("{table}")'))


class AccountLink(ops.AddField):
    """AddField of a nullable link to an account, re-runnable: a column already there is kept.

    Unapplied on SQLite, the column stays. SQLite drops a column that holds a foreign key only
    by rebuilding its table, which, for tables others refer to (grid_node, sinking_staff,
    volunteer), needs foreign keys off and so a step outside the migration's transaction
    (0010's way); a null column the older code does not know is harmless, and applying this
    migration again finds it. PostgreSQL drops it."""

    def _column(self, app_label: str, state: Any) -> tuple[str, str]:
        model = state.apps.get_model(f"{app_label}.{self.model_name}")
        return model._meta.db_table, f"{self.name}_id"

    async def database_forward(self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None) -> None:
        if state_editor is None or await _has_column(state_editor.client, *self._column(app_label, new_state)):
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None) -> None:
        if state_editor is None or state_editor.client.capabilities.dialect == "sqlite":
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


def _tenant() -> tuple[str, Any]:
    return (
        "tenant",
        fields.ForeignKeyField(
            "redgrid.Tenant",
            source_field="tenant_id",
            db_constraint=True,
            to_field="id",
            related_name=False,
            on_delete=OnDelete.RESTRICT,
        ),
    )


def _id() -> tuple[str, Any]:
    return ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True))


def _account_link(column: str) -> Any:
    return fields.ForeignKeyField(
        "redgrid.Account",
        source_field=column,
        null=True,
        db_constraint=True,
        to_field="id",
        related_name=False,
        on_delete=OnDelete.SET_NULL,
    )


def _of_worker(related_name: str) -> Any:
    return fields.ForeignKeyField(
        "redgrid.GridWorker",
        source_field="worker_id",
        db_constraint=True,
        to_field="id",
        related_name=related_name,
        on_delete=OnDelete.CASCADE,
    )


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0011_accounts")]

    initial = False

    operations = [
        ops.CreateModel(
            name="GridWorker",
            fields=[
                _tenant(),
                _id(),
                ("name", fields.CharField(max_length=100)),
                ("phone", fields.CharField(default="", max_length=20)),
                ("account", _account_link("account_id")),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "grid_worker",
                "app": "redgrid",
                "unique_together": (("tenant", "account"),),
                "indexes": [Index(fields=["tenant_id", "name"])],
                "pk_attr": "id",
                "table_description": "A person of a grid's team.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="GridWorkerNode",
            fields=[
                _tenant(),
                _id(),
                ("worker", _of_worker("nodes")),
                (
                    "node",
                    fields.ForeignKeyField(
                        "redgrid.GridNode",
                        source_field="node_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="grid_workers",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
            ],
            options={
                "table": "grid_worker_node",
                "app": "redgrid",
                "unique_together": (("tenant", "worker", "node"),),
                "indexes": [Index(fields=["tenant_id", "node_id"])],
                "pk_attr": "id",
                "table_description": "A grid node a worker serves.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="GridWorkerPost",
            fields=[
                _tenant(),
                _id(),
                ("worker", _of_worker("posts")),
                ("post", fields.CharField(max_length=20)),
            ],
            options={
                "table": "grid_worker_post",
                "app": "redgrid",
                "unique_together": (("tenant", "worker", "post"),),
                "indexes": [Index(fields=["tenant_id", "post"])],
                "pk_attr": "id",
                "table_description": "One of a worker's posts (one of POSTS).",
            },
            bases=["TenantOwned"],
        ),
        AccountLink(model_name="GridNode", name="head_account", field=_account_link("head_account_id")),
        AccountLink(model_name="SinkingStaff", name="account", field=_account_link("account_id")),
        ops.AddConstraint(model_name="SinkingStaff", constraint=UniqueConstraint(fields=("tenant", "account"))),
        AccountLink(model_name="Volunteer", name="account", field=_account_link("account_id")),
        ops.AddConstraint(model_name="Volunteer", constraint=UniqueConstraint(fields=("tenant", "account"))),
        ops.RunPython(link_accounts, ops.RunPython.noop),
    ]

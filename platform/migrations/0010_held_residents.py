"""Residents held for review (tenants/people/conflicts.py): `resident.held_of` names the
resident already registered with the held one's ID-card number, and the number is unique per
tenant only among residents not held, a partial unique index (PostgreSQL and SQLite both have
them; Tortoise's constraint operations do not make them on SQLite, hence the SQL).

The migration is not atomic as Tortoise means it (`Migration.atomic = False`): SQLite's
foreign keys can only be switched off outside a transaction, and dropping the table that
party members, volunteers and pairings refer to needs them off (SQLite's "12 steps",
https://www.sqlite.org/lang_altertable.html#otheralter). `HeldOf` makes its own transaction
instead, one for the column and the swap of constraint for index, on either database, so a
failure leaves nothing behind; and it is re-runnable over the column an earlier attempt of this
migration may have left (its first version committed the column, then failed).
"""

from __future__ import annotations

import re
from typing import Any

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.transactions import in_transaction

INDEX = "uid_resident_registered_id_number"
CONSTRAINT = "uid_resident_tenant__68984b"  # the name 0005 gave unique_together (tenant, id_number)
COLUMN = "held_of_id"


class HeldRowsExist(RuntimeError):
    pass


# PostgreSQL: the constraint on (tenant_id, id_number) of the schema's own `resident` only.
_PG_NUMBER_CONSTRAINTS = """
SELECT c.conname FROM pg_constraint c
  JOIN pg_class t ON t.oid = c.conrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = current_schema() AND t.relname = 'resident' AND c.contype = 'u'
   AND ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
              ORDER BY k.ord) = ARRAY['tenant_id', 'id_number']"""


async def _pg_schema(client: Any) -> str:
    rows = await client.execute_query_dict("SELECT quote_ident(current_schema()) AS s")
    return rows[0]["s"]


async def registered_numbers_unique(client: Any) -> None:
    """Swap the table's unique constraint on (tenant_id, id_number) for the partial index,
    inside the caller's transaction. PostgreSQL only (SQLite: `_sqlite_rebuild`)."""
    schema = await _pg_schema(client)
    for row in await client.execute_query_dict(_PG_NUMBER_CONSTRAINTS):
        await client.execute_query(f'ALTER TABLE {schema}.resident DROP CONSTRAINT "{row["conname"]}"')
    await client.execute_query(
        f"CREATE UNIQUE INDEX IF NOT EXISTS {INDEX} ON {schema}.resident (tenant_id, id_number) WHERE {COLUMN} IS NULL"
    )


async def numbers_unique_again(client: Any) -> None:
    """The reverse, inside the caller's transaction: refused while any resident is held (the
    plain constraint cannot hold two rows with one number, and deleting people is not a
    migration's call: resolve them in residentConflicts first). PostgreSQL only."""
    schema = await _pg_schema(client)
    await _refuse_held(client)
    await client.execute_query(f"DROP INDEX IF EXISTS {schema}.{INDEX}")
    if not await client.execute_query_dict(_PG_NUMBER_CONSTRAINTS):
        await client.execute_query(
            f'ALTER TABLE {schema}.resident ADD CONSTRAINT "{CONSTRAINT}" UNIQUE (tenant_id, id_number)'
        )


async def _refuse_held(client: Any) -> None:
    rows = await client.execute_query_dict(f"SELECT count(*) AS n FROM resident WHERE {COLUMN} IS NOT NULL")
    if rows[0]["n"]:
        raise HeldRowsExist(
            f"{rows[0]['n']} residents are held for review: resolve them (resolveResidentConflict) "
            "before unapplying 0010_held_residents"
        )


async def _has_column(client: Any) -> bool:
    if client.capabilities.dialect == "postgres":
        rows = await client.execute_query_dict(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
            f" AND table_name = 'resident' AND column_name = '{COLUMN}'"
        )
        return bool(rows)
    return any(r["name"] == COLUMN for r in await client.execute_query_dict('PRAGMA table_info("resident")'))


_SQLITE_UNIQUE = re.compile(r',\s*CONSTRAINT "[^"]+" UNIQUE \("tenant_id", "id_number"\)')
_SQLITE_HELD_OF = re.compile(r',\s*"held_of_id" [^,]*?REFERENCES "resident" \("id"\)( ON DELETE \w+)?( /\*.*?\*/)?')


async def _sqlite_rebuild(client: Any, new_sql: str, columns: list[str], skip_index: str | None) -> None:
    """SQLite's 12-step table change, steps 4-10, in the caller's transaction (foreign keys
    off): the new table made under another name, the rows copied (ids kept), the old one
    dropped, the new one renamed, the indexes made again, and the foreign keys checked."""
    indexes = await client.execute_query_dict(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'resident' AND sql IS NOT NULL"
    )
    await client.execute_query('DROP TABLE IF EXISTS "resident_0010"')
    await client.execute_query(new_sql.replace('CREATE TABLE "resident"', 'CREATE TABLE "resident_0010"', 1))
    names = ", ".join(f'"{c}"' for c in columns)
    await client.execute_query(f'INSERT INTO "resident_0010" ({names}) SELECT {names} FROM "resident"')
    await client.execute_query('DROP TABLE "resident"')
    await client.execute_query('ALTER TABLE "resident_0010" RENAME TO "resident"')
    for index in indexes:
        if index["name"] != skip_index:
            await client.execute_query(index["sql"])
    broken = await client.execute_query_dict("PRAGMA foreign_key_check")
    if broken:
        raise RuntimeError(f"0010_held_residents: foreign keys broken by the rebuild: {broken[:5]}")


async def _sqlite_table(client: Any) -> str:
    return (
        await client.execute_query_dict("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'resident'")
    )[0]["sql"]


async def _sqlite_columns(client: Any) -> list[str]:
    return [r["name"] for r in await client.execute_query_dict('PRAGMA table_info("resident")')]


async def _sqlite_forward(client: Any) -> None:
    table = await _sqlite_table(client)
    unique = _SQLITE_UNIQUE.search(table)
    if unique is not None:
        await _sqlite_rebuild(
            client, table[: unique.start()] + table[unique.end() :], await _sqlite_columns(client), None
        )
    await client.execute_query(
        f'CREATE UNIQUE INDEX IF NOT EXISTS "{INDEX}" ON "resident" ("tenant_id", "id_number") WHERE "{COLUMN}" IS NULL'
    )


async def _sqlite_backward(client: Any) -> None:
    await _refuse_held(client)
    table = await _sqlite_table(client)
    held_of = _SQLITE_HELD_OF.search(table)
    if held_of is not None:
        table = table[: held_of.start()] + table[held_of.end() :]
    if _SQLITE_UNIQUE.search(table) is None:
        table = (
            table.rstrip().removesuffix(")").rstrip()
            + f',\n    CONSTRAINT "{CONSTRAINT}" UNIQUE ("tenant_id", "id_number")\n)'
        )
    columns = [c for c in await _sqlite_columns(client) if c != COLUMN]
    await _sqlite_rebuild(client, table, columns, INDEX)


class _SqliteForeignKeysOff:
    """Step 1 of the 12: foreign keys off, outside any transaction; back as they were after."""

    def __init__(self, client: Any) -> None:
        self.client, self.was = client, None

    async def __aenter__(self) -> None:
        self.was = (await self.client.execute_query_dict("PRAGMA foreign_keys"))[0]["foreign_keys"]
        await self.client.execute_query("PRAGMA foreign_keys = OFF")

    async def __aexit__(self, *exc: object) -> None:
        await self.client.execute_query(f"PRAGMA foreign_keys = {'ON' if self.was else 'OFF'}")


class HeldOf(ops.AddField):
    """AddField of `held_of`, and the swap of the number's unique constraint for the partial
    index, in one transaction of its own (see the module's docstring)."""

    reduces_to_sql = False

    async def database_forward(self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None) -> None:
        if state_editor is None:
            return
        model = new_state.apps.get_model(f"{app_label}.{self.model_name}")
        client = state_editor.client
        sqlite = client.capabilities.dialect == "sqlite"
        if sqlite:
            async with _SqliteForeignKeysOff(client), in_transaction(client.connection_name) as tx:
                if not await _has_column(tx):
                    await type(state_editor)(tx, atomic=True).add_field(model, self.name)
                await _sqlite_forward(tx)
        else:
            async with in_transaction(client.connection_name) as tx:
                if not await _has_column(tx):
                    await type(state_editor)(tx, atomic=True).add_field(model, self.name)
                await registered_numbers_unique(tx)

    async def database_backward(self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None) -> None:
        if state_editor is None:
            return
        client = state_editor.client
        if client.capabilities.dialect == "sqlite":
            async with _SqliteForeignKeysOff(client), in_transaction(client.connection_name) as tx:
                await _sqlite_backward(tx)  # the column goes with the rebuild
        else:
            model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
            async with in_transaction(client.connection_name) as tx:
                await numbers_unique_again(tx)
                if await _has_column(tx):
                    await type(state_editor)(tx, atomic=True).remove_field(model, model._meta.fields_map[self.name])


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0009_default_case_categories")]

    initial = False
    atomic = False  # HeldOf makes its own transaction: SQLite's foreign keys go off outside one

    operations = [
        HeldOf(
            model_name="Resident",
            name="held_of",
            field=fields.ForeignKeyField(
                "redgrid.Resident",
                source_field="held_of_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="held_duplicates",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        # The models' state without the constraint the step above replaced (no SQL of its own).
        ops.AlterModelOptions(
            name="Resident",
            options={
                "table": "resident",
                "app": "redgrid",
                "unique_together": (),
                "indexes": [
                    Index(fields=["tenant_id", "node_id"]),
                    Index(fields=["tenant_id", "household_id"]),
                    Index(fields=["tenant_id", "name"]),
                ],
                "pk_attr": "id",
                "table_description": (
                    "A person registered in the tenant. The ID-card number is optional but unique per tenant"
                ),
            },
        ),
    ]

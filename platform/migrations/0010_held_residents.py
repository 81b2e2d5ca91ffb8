"""Residents held for review (tenants/people/conflicts.py): `resident.held_of` names the
resident already registered with the held one's ID-card number, and the number is unique per
tenant only among residents not held, a partial unique index (PostgreSQL and SQLite both have
them; Tortoise's constraint operations do not make them on SQLite, hence the SQL)."""

import re

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

INDEX = "uid_resident_registered_id_number"


async def registered_numbers_unique(apps, schema_editor) -> None:
    """Swap the table's unique constraint on (tenant_id, id_number) for the partial index."""
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        names = await client.execute_query_dict(
            "SELECT c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
            " WHERE t.relname = 'resident' AND c.contype = 'u'")
        for row in names:
            await client.execute_script(f'ALTER TABLE resident DROP CONSTRAINT "{row["conname"]}"')
    else:
        await _sqlite_without_unique(client)
    await client.execute_script(
        f"CREATE UNIQUE INDEX {INDEX} ON resident (tenant_id, id_number) WHERE held_of_id IS NULL")


async def _sqlite_without_unique(client) -> None:
    """SQLite cannot drop a table's constraint: the table is made again without it, its rows
    (ids kept) and indexes with it. Dropping it would break the foreign keys of the rows that
    refer to it (party members, volunteers, pairings); deferred, they hold again by the commit,
    once the rows are back under the same name."""
    tables = await client.execute_query_dict("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'resident'")
    table = tables[0]["sql"]
    indexes = await client.execute_query_dict(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'resident' AND sql IS NOT NULL")
    unique = re.search(r',\s*CONSTRAINT "[^"]+" UNIQUE \("tenant_id", "id_number"\)', table)
    if unique is None:
        return
    await client.execute_script("PRAGMA defer_foreign_keys = ON")
    await client.execute_script('CREATE TEMP TABLE resident_rows AS SELECT * FROM "resident"')
    await client.execute_script('DROP TABLE "resident"')
    await client.execute_script(table[:unique.start()] + table[unique.end():])
    await client.execute_script('INSERT INTO "resident" SELECT * FROM resident_rows')
    await client.execute_script("DROP TABLE resident_rows")
    for index in indexes:
        await client.execute_script(index["sql"])


class Migration(migrations.Migration):
    dependencies = [('redgrid', '0009_default_case_categories')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Resident',
            name='held_of',
            field=fields.ForeignKeyField('redgrid.Resident', source_field='held_of_id', null=True, db_constraint=True, to_field='id', related_name='held_duplicates', on_delete=OnDelete.RESTRICT),
        ),
        ops.RunPython(registered_numbers_unique, ops.RunPython.noop),
        # The models' state without the constraint the step above replaced (no SQL of its own).
        ops.AlterModelOptions(
            name='Resident',
            options={'table': 'resident', 'app': 'redgrid', 'unique_together': (), 'indexes': [Index(fields=['tenant_id', 'node_id']), Index(fields=['tenant_id', 'household_id']), Index(fields=['tenant_id', 'name'])], 'pk_attr': 'id', 'table_description': 'A person registered in the tenant. The ID-card number is optional but unique per tenant'},
        ),
    ]

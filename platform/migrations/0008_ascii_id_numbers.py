"""ID-card numbers stored as typed in full-width digits (the shape check took any Unicode digit
until November 2026) rewritten in ASCII, as tenants/people/idcard.normalise now writes every
new one, so that the uniqueness check and the party register's look-up find them. A number
whose ASCII form is already registered in its tenant is left as it is and logged: two rows of
one person are for an official to merge, not for a migration to guess."""

import logging

from tortoise import migrations
from tortoise.migrations import operations as ops

log = logging.getLogger(__name__)

# tenants/people/idcard.TYPED_AS_ASCII as of this migration: a migration keeps its own copy.
TYPED_AS_ASCII = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "Ｘ": "X", "ｘ": "X", " ": None, "\u3000": None, "\u00a0": None}
)


async def ascii_id_numbers(apps, schema_editor) -> None:
    client = schema_editor.client
    mark = "$1" if client.capabilities.dialect == "postgres" else "?"
    rows = await client.execute_query_dict("SELECT id, tenant_id, id_number FROM resident WHERE id_number IS NOT NULL")
    taken = {(r["tenant_id"], r["id_number"]) for r in rows}
    for r in rows:
        number = r["id_number"].translate(TYPED_AS_ASCII).upper()
        if number == r["id_number"]:
            continue
        if (r["tenant_id"], number) in taken:
            log.warning("resident %s: ID-card number left as typed, its ASCII form is registered too", r["id"])
            continue
        taken.add((r["tenant_id"], number))
        await client.execute_query(
            f"UPDATE resident SET id_number = {mark} WHERE id = {mark.replace('1', '2')}", [number, r["id"]]
        )


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0007_case_attachments")]

    initial = False

    operations = [ops.RunPython(ascii_id_numbers, ops.RunPython.noop)]

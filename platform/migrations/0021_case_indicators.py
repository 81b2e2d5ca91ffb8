"""Case indicators (tenants/cases/indicators.py): how many times each case was reopened
(`grid_case.reopened`, rework), counted back from the timelines of the cases reopened before
this migration. Categories become readable in a district transaction (their `district_read`
policy comes with `redgrid migrate`'s row-level security step, as every policy does)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


async def count_reopened(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(
        "UPDATE grid_case SET reopened = (SELECT count(*) FROM case_transition t "
        "WHERE t.case_id = grid_case.id AND t.action = 'reopen') "
        "WHERE id IN (SELECT case_id FROM case_transition WHERE action = 'reopen')"
    )


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0015_field_work")]

    initial = False

    operations = [
        ops.AddField(model_name="Case", name="reopened", field=fields.SmallIntField(default=0)),
        ops.RunPython(count_reopened, ops.RunPython.noop),
    ]

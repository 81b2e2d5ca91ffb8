"""Case indicators (tenants/cases/indicators.py): how many times each case was reopened
(`grid_case.reopened`, rework), counted back from the timelines of the cases reopened before
this migration; each street's indicators per local day (`case_day`) and the mark of its cases
topic they were computed at (`case_day_mark`), kept by a scheduler job (tenants/cases/rollup.py).
Categories and both new tables become readable in a district transaction (their `district_read`
policies come with `redgrid migrate`'s row-level security step, as every policy does)."""

import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


async def count_reopened(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(
        "UPDATE grid_case SET reopened = (SELECT count(*) FROM case_transition t "
        "WHERE t.case_id = grid_case.id AND t.action = 'reopen') "
        "WHERE id IN (SELECT case_id FROM case_transition WHERE action = 'reopen')"
    )


def _tenant() -> tuple[str, fields.Field]:
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


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0017_resident_reports")]

    initial = False

    operations = [
        ops.AddField(model_name="Case", name="reopened", field=fields.SmallIntField(default=0)),
        ops.RunPython(count_reopened, ops.RunPython.noop),
        ops.CreateModel(
            name="CaseDay",
            fields=[
                _tenant(),
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("day", fields.DateField()),
                *(
                    (name, fields.IntField())
                    for name in (
                        "received",
                        "registered",
                        "due",
                        "closed",
                        "closed_on_time",
                        "reworked",
                        "rated",
                        "satisfied",
                    )
                ),
            ],
            options={
                "table": "case_day",
                "app": "redgrid",
                "unique_together": (("tenant", "day"),),
                "pk_attr": "id",
                "table_description": "A street's case indicators of one local day, as last computed.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="CaseDayMark",
            fields=[
                _tenant(),
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("watermark", fields.JSONField(encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads)),
                ("computed_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "case_day_mark",
                "app": "redgrid",
                "unique_together": (("tenant",),),
                "pk_attr": "id",
                "table_description": "The cases topic's mark a street's case days were computed at.",
            },
            bases=["TenantOwned"],
        ),
    ]

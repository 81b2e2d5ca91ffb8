"""Every tenant gets the default case taxonomy with the "3-1" deadlines: tenant creation makes
it since December 2026, and before then only `seed-demo` did, so a tenant provisioned
otherwise had no category to report a case in. A category a tenant already has (by code) is
left as it is, with its own deadlines."""

from tortoise import migrations
from tortoise.migrations import operations as ops

# tenants/cases/service.DEFAULT_CATEGORIES as of this migration: a migration keeps its own copy.
DEFAULT_CATEGORIES = (
    ("city_appearance", "市容环境"),
    ("street_order", "街面秩序"),
    ("safety_hazard", "安全隐患"),
    ("dispute", "矛盾纠纷"),
    ("livelihood", "民生服务"),
)


async def default_case_categories(apps, schema_editor) -> None:
    client = schema_editor.client
    marks = ("$1", "$2", "$3") if client.capabilities.dialect == "postgres" else ("?", "?", "?")
    for code, name in DEFAULT_CATEGORIES:
        await client.execute_query(
            "INSERT INTO case_category (tenant_id, code, name, on_scene_minutes, resolve_minutes, answer_minutes)"
            f" SELECT t.id, {marks[0]}, {marks[1]}, 10, 60, 1440 FROM tenant t WHERE NOT EXISTS"
            f" (SELECT 1 FROM case_category c WHERE c.tenant_id = t.id AND c.code = {marks[2]})",
            [code, name, code],
        )


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0008_ascii_id_numbers")]

    initial = False

    operations = [ops.RunPython(default_case_categories, ops.RunPython.noop)]

import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Event",
            fields=[
                (
                    "tenant",
                    fields.ForeignKeyField(
                        "redgrid.Tenant",
                        source_field="tenant_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("topic", fields.CharField(max_length=64)),
                ("type", fields.CharField(max_length=64)),
                ("path", fields.CharField(null=True, max_length=400)),
                ("payload", fields.JSONField(encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads)),
                ("seq", fields.BigIntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("published_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "event",
                "app": "redgrid",
                "unique_together": (("topic", "seq"),),
                "indexes": [Index(fields=["seq", "id"]), Index(fields=["published_at", "seq"])],
                "pk_attr": "id",
                "table_description": "A domain event: the transactional outbox and, once sequenced, the replay log.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="TopicSequence",
            fields=[
                ("topic", fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ("last_seq", fields.BigIntField(default=0)),
            ],
            options={
                "table": "topic_sequence",
                "app": "redgrid",
                "pk_attr": "topic",
                "table_description": (
                    "The last sequence number handed out per topic (in PostgreSQL, not Redis, so a Redis"
                ),
            },
            bases=["Model"],
        ),
    ]

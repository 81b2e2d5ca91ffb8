from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('redgrid', '0005_people')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JointUnit',
            fields=[
                ('tenant', fields.ForeignKeyField('redgrid.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('kind', fields.CharField(max_length=20)),
                ('party_organisation', fields.CharField(default='', max_length=200)),
                ('contacts', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('paired_node', fields.ForeignKeyField('redgrid.GridNode', source_field='paired_node_id', null=True, db_constraint=True, to_field='id', related_name='joint_units', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'joint_unit', 'app': 'redgrid', 'unique_together': (('tenant', 'name'),), 'indexes': [Index(fields=['tenant_id', 'paired_node_id']), Index(fields=['tenant_id', 'kind'])], 'pk_attr': 'id', 'table_description': 'A unit in the street (enterprise, school, hospital, organ, two-new organisation, property'},
            bases=['TenantOwned'],
        ),
        ops.CreateModel(
            name='PublicProject',
            fields=[
                ('tenant', fields.ForeignKeyField('redgrid.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('node', fields.ForeignKeyField('redgrid.GridNode', source_field='node_id', db_constraint=True, to_field='id', related_name='public_projects', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.CharField(default='', max_length=1000)),
                ('budget', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('status', fields.CharField(default='open', max_length=10)),
                ('claimed_by', fields.ForeignKeyField('redgrid.JointUnit', source_field='claimed_by_id', null=True, db_constraint=True, to_field='id', related_name='claimed_projects', on_delete=OnDelete.RESTRICT)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'public_project', 'app': 'redgrid', 'indexes': [Index(fields=['tenant_id', 'status']), Index(fields=['tenant_id', 'node_id']), Index(fields=['tenant_id', 'claimed_by_id'])], 'pk_attr': 'id', 'table_description': 'A public-benefit project (公益项目) a community puts up for units to claim (认领).'},
            bases=['TenantOwned'],
        ),
        ops.CreateModel(
            name='ServiceItem',
            fields=[
                ('tenant', fields.ForeignKeyField('redgrid.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('redgrid.JointUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='service_items', on_delete=OnDelete.RESTRICT)),
                ('category', fields.CharField(max_length=20)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.CharField(default='', max_length=1000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'service_item', 'app': 'redgrid', 'indexes': [Index(fields=['tenant_id', 'category']), Index(fields=['tenant_id', 'unit_id'])], 'pk_attr': 'id', 'table_description': 'One item of the service menu (服务清单), offered by a unit, in one of five categories.'},
            bases=['TenantOwned'],
        ),
        ops.CreateModel(
            name='ServiceOrder',
            fields=[
                ('tenant', fields.ForeignKeyField('redgrid.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('redgrid.ServiceItem', source_field='item_id', db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.RESTRICT)),
                ('node', fields.ForeignKeyField('redgrid.GridNode', source_field='node_id', db_constraint=True, to_field='id', related_name='service_orders', on_delete=OnDelete.RESTRICT)),
                ('ordered_by', fields.CharField(max_length=128)),
                ('note', fields.CharField(default='', max_length=500)),
                ('status', fields.CharField(default='ordered', max_length=10)),
                ('rating', fields.SmallIntField(null=True)),
                ('ordered_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('rated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'service_order', 'app': 'redgrid', 'indexes': [Index(fields=['tenant_id', 'node_id']), Index(fields=['tenant_id', 'status']), Index(fields=['tenant_id', 'item_id'])], 'pk_attr': 'id', 'table_description': "A grid node's order of a menu item (点单) and its delivery (配送)."},
            bases=['TenantOwned'],
        ),
        ops.CreateModel(
            name='UnitNeed',
            fields=[
                ('tenant', fields.ForeignKeyField('redgrid.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('redgrid.JointUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='needs', on_delete=OnDelete.RESTRICT)),
                ('description', fields.CharField(max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'unit_need', 'app': 'redgrid', 'indexes': [Index(fields=['tenant_id', 'unit_id'])], 'pk_attr': 'id', 'table_description': 'Something a unit asks the community for (需求清单).'},
            bases=['TenantOwned'],
        ),
        ops.CreateModel(
            name='UnitResource',
            fields=[
                ('tenant', fields.ForeignKeyField('redgrid.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('redgrid.JointUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='resources', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharField(max_length=20)),
                ('description', fields.CharField(max_length=500)),
                ('shareable', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'unit_resource', 'app': 'redgrid', 'indexes': [Index(fields=['tenant_id', 'unit_id']), Index(fields=['tenant_id', 'shareable'])], 'pk_attr': 'id', 'table_description': 'Something a unit offers (venue, equipment, expertise, funds, volunteers).'},
            bases=['TenantOwned'],
        ),
    ]

"""Demo grid teams and account links: each demo user of a tenant gets his account row (as his
first call would make it), the demo grid head heads the demo grid, the demo staff member and
volunteer are linked to their accounts, and the demo grid gets a team of four in the posts of
the sources, the demo grid worker among them. Written straight to the tables, like the other
registers' demo, without events; run once, when the tenant's grid is built."""

from __future__ import annotations

from redgrid.platform.context import RequestContext
from redgrid.platform.demo_users import DEMO_ROLES
from redgrid.platform.models import Account
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.people.models import Volunteer
from redgrid.tenants.staff.models import SinkingStaff
from redgrid.tenants.workers.models import GridWorker, GridWorkerNode, GridWorkerPost

# name, phone, posts, the demo role whose account he is (None: no account)
TEAM = (
    ("网格员小张", "13700000301", ("full_time_worker", "information"), "grid-worker"),
    ("宣传员老刘", "13700000302", ("publicity",), None),
    ("协调员小何", "13700000303", ("coordination",), None),
    ("监督员老赵", "13700000304", ("supervision", "building_head"), None),
)


async def seed_workers(ctx: RequestContext, slug: str, node: GridNode) -> str:
    tenant = ctx.require_tenant()
    accounts = {
        role: (await Account.get_or_create(tenant_id=tenant.id, username=f"{slug}-{role}"))[0] for role in DEMO_ROLES
    }
    node.head_account = accounts["grid-head"]
    await node.save(update_fields=["head_account_id"])
    staff = accounts["dept-staff"]
    await SinkingStaff.filter(tenant_id=tenant.id, username=staff.username).update(account_id=staff.id)
    volunteer = accounts["volunteer"]
    await Volunteer.filter(tenant_id=tenant.id, username=volunteer.username).update(account_id=volunteer.id)
    for name, phone, posts, role in TEAM:
        worker = await GridWorker.create(
            tenant_id=tenant.id, name=name, phone=phone, account=accounts[role] if role else None
        )
        await GridWorkerNode.create(tenant_id=tenant.id, worker=worker, node=node)
        await GridWorkerPost.bulk_create([GridWorkerPost(tenant_id=tenant.id, worker=worker, post=p) for p in posts])
    return f"{len(TEAM)} grid workers at {node.name}, demo users linked to their accounts"

"""The demo district, tenants and users.

The same list is in the Keycloak realm (deploy/keycloak/redgrid-realm.json) and behind the
dev identity; tests/unit/test_demo_users.py keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "redgrid-demo"
DEMO_DISTRICT = ("jiangning", "江宁区")
DEMO_TENANTS = (("jinshui", "金水街道", "street"), ("hushu", "湖熟街道", "town"))
# The demo tenants have a user of each; a unit contact keeps one unit's resources and requests
# (tenants/sharing/), with an account a secretary makes.
DEMO_ROLES = ("secretary", "grid-head", "grid-worker", "dept-staff", "volunteer")
TENANT_ROLES = DEMO_ROLES + ("unit-contact",)
ROLES = ("platform-admin", "district-admin") + TENANT_ROLES


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    tenant: str | None
    district: str | None


def demo_users() -> list[DemoUser]:
    district = DEMO_DISTRICT[0]
    users = [
        DemoUser("platform-admin", "platform-admin", None, None),
        DemoUser(f"{district}-district-admin", "district-admin", None, district),
    ]
    for tenant, _name, _kind in DEMO_TENANTS:
        users += [DemoUser(f"{tenant}-{role}", role, tenant, district) for role in DEMO_ROLES]
    return users

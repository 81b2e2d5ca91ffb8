"""Creating what a tenant needs in the identity provider, idempotently.

Keycloak: a group per district and per tenant (`/districts/<d>`, `/tenants/<t>`, carrying
`tenant`/`district` attributes) and, when asked, the tenant's first secretary with the
`secretary` realm role, the same attributes and a temporary password. The dev identity has a
fixed set of demo users and nothing to provision.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Protocol

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakGetError

from redgrid.platform.settings import Settings


@dataclass
class ProvisionReport:
    actions: list[str] = field(default_factory=list)
    initial_password: str | None = None


class Provisioner(Protocol):
    async def ensure_tenant(self, tenant: str, district: str, secretary: tuple[str, str] | None) -> ProvisionReport: ...


class KeycloakProvisioner:
    def __init__(self, admin: KeycloakAdmin) -> None:
        self._admin = admin

    async def _group(self, path: str, attributes: dict[str, list[str]], report: ProvisionReport) -> str:
        """Id of the group at `path` (two levels at most), created when missing."""
        parent_id: str | None = None
        parts = path.strip("/").split("/")
        for depth, name in enumerate(parts, start=1):
            sub_path = "/" + "/".join(parts[:depth])
            try:
                group = await self._admin.a_get_group_by_path(sub_path)
                group_id = group["id"]
            except KeycloakGetError as exc:
                if exc.response_code != 404:
                    raise
                payload: dict[str, Any] = {"name": name}
                if depth == len(parts):
                    payload["attributes"] = attributes
                group_id = await self._admin.a_create_group(payload, parent=parent_id)
                report.actions.append(f"created group {sub_path}")
            parent_id = group_id
        assert parent_id is not None
        return parent_id

    async def ensure_tenant(self, tenant: str, district: str, secretary: tuple[str, str] | None) -> ProvisionReport:
        report = ProvisionReport()
        await self._group(f"/districts/{district}", {"district": [district]}, report)
        group_id = await self._group(f"/tenants/{tenant}", {"tenant": [tenant], "district": [district]}, report)
        if secretary is not None:
            await self._ensure_secretary(tenant, district, group_id, *secretary, report=report)
        if not report.actions:
            report.actions.append("identity provider already up to date")
        return report

    async def _ensure_secretary(
        self,
        tenant: str,
        district: str,
        group_id: str,
        username: str,
        email: str,
        *,
        report: ProvisionReport,
    ) -> None:
        user_id = await self._admin.a_get_user_id(username)
        if user_id is None:
            password = secrets.token_urlsafe(12)
            user_id = await self._admin.a_create_user(
                {
                    "username": username,
                    "email": email,
                    "firstName": username,
                    "lastName": tenant,
                    "enabled": True,
                    "emailVerified": False,
                    "attributes": {"tenant": [tenant], "district": [district]},
                    "credentials": [{"type": "password", "value": password, "temporary": True}],
                    "requiredActions": ["UPDATE_PASSWORD"],
                },
                exist_ok=False,
            )
            report.initial_password = password
            report.actions.append(f"created user {username}")
        else:
            user = await self._admin.a_get_user(user_id)
            if (user.get("attributes") or {}).get("tenant") != [tenant]:
                raise ValueError(f"user {username} exists and belongs to another tenant")
        roles = {r["name"] for r in await self._admin.a_get_realm_roles_of_user(user_id)}
        if "secretary" not in roles:
            await self._admin.a_assign_realm_roles(user_id, [await self._admin.a_get_realm_role("secretary")])
            report.actions.append(f"granted secretary to {username}")
        groups = {g["id"] for g in await self._admin.a_get_user_groups(user_id)}
        if group_id not in groups:
            await self._admin.a_group_user_add(user_id, group_id)
            report.actions.append(f"added {username} to /tenants/{tenant}")


class DevProvisioner:
    async def ensure_tenant(self, tenant: str, district: str, secretary: tuple[str, str] | None) -> ProvisionReport:
        if secretary is not None:
            raise ValueError("the dev identity has fixed demo users; configure Keycloak to add users")
        return ProvisionReport(["dev identity: nothing to provision"])


def build_provisioner(settings: Settings) -> Provisioner:
    if settings.uses_dev_identity:
        return DevProvisioner()
    from redgrid.platform.keycloak import keycloak_admin

    return KeycloakProvisioner(keycloak_admin(settings))

"""The identity provider's users, as RedGrid's account management changes them.

Keycloak stays the one identity store: the user, his realm role, his tenant and district
attributes, his `enabled` flag and his first password (temporary, with the UPDATE_PASSWORD
required action, or an invitation e-mail when the realm can send one). RedGrid asks for the
changes through the API client's service account (python-keycloak's admin client) and keeps
only the scope and the link to the person (tenants/accounts/). The dev identity's users are
fixed; it refuses every change with a clear reason.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakGetError, KeycloakPostError

from redgrid.platform.demo_users import TENANT_ROLES
from redgrid.platform.settings import Settings


class DirectoryRefused(Exception):
    """The identity provider will not make this change (e.g. the username is taken)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class NewUser:
    username: str
    email: str
    first_name: str
    last_name: str
    role: str
    tenant: str
    district: str


@dataclass(frozen=True)
class MadeUser:
    subject: str
    temporary_password: str | None  # None when an invitation e-mail was sent instead
    invited: bool


@dataclass(frozen=True)
class FoundUser:
    subject: str
    tenant: str | None


class UserDirectory(Protocol):
    async def find(self, username: str) -> FoundUser | None: ...

    async def create(self, user: NewUser) -> MadeUser: ...

    async def delete(self, subject: str) -> None: ...

    async def set_role(self, subject: str, role: str) -> None: ...

    async def set_enabled(self, subject: str, enabled: bool) -> None: ...

    async def set_profile(self, subject: str, email: str, first_name: str, last_name: str) -> None: ...


class KeycloakUserDirectory:
    def __init__(self, admin: KeycloakAdmin, *, invite_by_email: bool) -> None:
        self._admin = admin
        self._invite = invite_by_email
        self._roles: dict[str, dict[str, Any]] = {}

    async def _role(self, name: str) -> dict[str, Any]:
        if name not in self._roles:
            self._roles[name] = await self._admin.a_get_realm_role(name)
        return self._roles[name]

    async def find(self, username: str) -> FoundUser | None:
        subject = await self._admin.a_get_user_id(username)
        if subject is None:
            return None
        user = await self._admin.a_get_user(subject)
        tenant = ((user.get("attributes") or {}).get("tenant") or [None])[0]
        return FoundUser(subject, tenant)

    async def create(self, user: NewUser) -> MadeUser:
        invite = self._invite and bool(user.email)
        password = None if invite else secrets.token_urlsafe(12)
        payload: dict[str, Any] = {
            "username": user.username,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "enabled": True,
            "emailVerified": False,
            "attributes": {"tenant": [user.tenant], "district": [user.district]},
            "requiredActions": ["UPDATE_PASSWORD"],
        }
        if user.email:
            payload["email"] = user.email
        if password is not None:
            payload["credentials"] = [{"type": "password", "value": password, "temporary": True}]
        try:
            subject = await self._admin.a_create_user(payload, exist_ok=False)
        except KeycloakPostError as exc:
            if exc.response_code == 409:  # the username, or the e-mail, is someone's already
                raise DirectoryRefused("USERNAME_TAKEN", "that user name or e-mail is already in use") from None
            raise
        try:
            await self._admin.a_assign_realm_roles(subject, [await self._role(user.role)])
            group = await self._admin.a_get_group_by_path(f"/tenants/{user.tenant}")
            await self._admin.a_group_user_add(subject, group["id"])
            if invite:
                await self._admin.a_send_update_account(subject, ["UPDATE_PASSWORD"])
        except BaseException:
            await self.delete(subject)  # not half a user: the caller's transaction rolls back too
            raise
        return MadeUser(subject, password, invite)

    async def delete(self, subject: str) -> None:
        try:
            await self._admin.a_delete_user(subject)
        except KeycloakGetError as exc:
            if exc.response_code != 404:
                raise

    async def set_role(self, subject: str, role: str) -> None:
        """`role` becomes the user's one tenant role; his other tenant roles go."""
        current = {r["name"] for r in await self._admin.a_get_realm_roles_of_user(subject)}
        if role not in current:
            await self._admin.a_assign_realm_roles(subject, [await self._role(role)])
        stale = [await self._role(r) for r in TENANT_ROLES if r in current and r != role]
        if stale:
            await self._admin.a_delete_realm_roles_of_user(subject, stale)

    async def _update(self, subject: str, changes: dict[str, Any]) -> None:
        """Keycloak's user update replaces the profile it is sent (attributes left out are
        dropped, the tenant with them): the user goes back whole, with `changes`."""
        user = await self._admin.a_get_user(subject)
        await self._admin.a_update_user(subject, {**user, **changes})

    async def set_enabled(self, subject: str, enabled: bool) -> None:
        await self._update(subject, {"enabled": enabled})

    async def set_profile(self, subject: str, email: str, first_name: str, last_name: str) -> None:
        changes: dict[str, Any] = {"firstName": first_name, "lastName": last_name}
        if email:  # the service never clears an e-mail once set
            changes["email"] = email
        await self._update(subject, changes)


class DevUserDirectory:
    """The dev identity's demo users are fixed: their scopes can be set, nothing else."""

    REASON = "the embedded dev identity has only its fixed demo users; configure Keycloak to manage accounts"

    async def find(self, username: str) -> FoundUser | None:
        from redgrid.platform.auth.dev_identity import subject_of
        from redgrid.platform.demo_users import demo_users

        found = next((u for u in demo_users() if u.username == username), None)
        return FoundUser(subject_of(username), found.tenant) if found else None

    async def create(self, user: NewUser) -> MadeUser:
        raise DirectoryRefused("IDENTITY_READ_ONLY", self.REASON)

    async def delete(self, subject: str) -> None:
        return None

    async def set_role(self, subject: str, role: str) -> None:
        raise DirectoryRefused("IDENTITY_READ_ONLY", self.REASON)

    async def set_enabled(self, subject: str, enabled: bool) -> None:
        raise DirectoryRefused("IDENTITY_READ_ONLY", self.REASON)

    async def set_profile(self, subject: str, email: str, first_name: str, last_name: str) -> None:
        raise DirectoryRefused("IDENTITY_READ_ONLY", self.REASON)


def build_user_directory(settings: Settings) -> UserDirectory:
    if settings.uses_dev_identity:
        return DevUserDirectory()
    from redgrid.platform.keycloak import keycloak_admin

    return KeycloakUserDirectory(keycloak_admin(settings), invite_by_email=settings.invite_by_email)

"""Who is calling, as the verified token says."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redgrid.platform.demo_users import ROLES


class AuthError(Exception):
    """A token that must be refused: HTTP 401, websocket close 4401."""


@dataclass(frozen=True, slots=True)
class Identity:
    subject: str
    username: str
    roles: frozenset[str]
    tenant_slug: str | None
    district_slug: str | None
    expires_at: float | None = (
        None  # the token's `exp` (plus the verifier's leeway): long-lived subscriptions end there
    )

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Identity:
        realm_roles = (claims.get("realm_access") or {}).get("roles") or []
        return cls(
            subject=str(claims["sub"]),
            username=str(claims.get("preferred_username") or claims["sub"]),
            roles=frozenset(r for r in realm_roles if r in ROLES),
            tenant_slug=claims.get("tenant") or None,
            district_slug=claims.get("district") or None,
            expires_at=float(claims["exp"]) if "exp" in claims else None,
        )

    def has_any(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)

"""The Keycloak realm and the dev identity must offer the same demo users."""

import json
from pathlib import Path

from redgrid.platform.demo_users import ROLES, demo_users

REALM = Path(__file__).resolve().parents[2] / "deploy" / "keycloak" / "redgrid-realm.json"


def test_realm_demo_users_match_the_dev_identity():
    realm = json.loads(REALM.read_text(encoding="utf-8"))
    in_realm = {
        u["username"]: (
            tuple(r for r in u.get("realmRoles", []) if r in ROLES),
            (u.get("attributes", {}).get("tenant") or [None])[0],
            (u.get("attributes", {}).get("district") or [None])[0],
        )
        for u in realm["users"]
        if not u["username"].startswith("service-account-")
    }
    expected = {u.username: ((u.role,), u.tenant, u.district) for u in demo_users()}
    assert in_realm == expected


def test_realm_roles_are_the_domain_roles():
    realm = json.loads(REALM.read_text(encoding="utf-8"))
    assert {r["name"] for r in realm["roles"]["realm"]} >= set(ROLES)

"""createTenant: platform admins only, creates the Keycloak side, idempotent."""

from __future__ import annotations

import uuid

import pytest

from .clients import gql, gql_data, password_token, realm_admin

CREATE = """
mutation($input: CreateTenantInput!) {
  createTenant(input: $input) {
    created provisioning initialSecretaryPassword
    tenant { slug name kind districtSlug }
    errors { field code message }
  }
}"""


@pytest.fixture
def new_slug() -> str:
    return f"t{uuid.uuid4().hex[:8]}"


async def test_platform_admin_creates_tenant_with_keycloak_side_once(live_server, new_slug):
    token = password_token("platform-admin")
    variables = {
        "input": {
            "slug": new_slug,
            "name": "秣陵街道",
            "districtSlug": "jiangning",
            "kind": "STREET",
            "secretaryUsername": f"{new_slug}-secretary",
            "secretaryEmail": f"{new_slug}@example.org",
        }
    }
    first = (await gql_data(live_server, CREATE, variables, token))["createTenant"]
    assert first["errors"] == [] and first["created"] is True
    assert first["tenant"] == {"slug": new_slug, "name": "秣陵街道", "kind": "STREET", "districtSlug": "jiangning"}
    assert first["initialSecretaryPassword"]

    admin = realm_admin()
    group = admin.get_group_by_path(f"/tenants/{new_slug}")
    assert group["attributes"]["tenant"] == [new_slug]
    user_id = admin.get_user_id(f"{new_slug}-secretary")
    user = admin.get_user(user_id)
    assert user["attributes"]["tenant"] == [new_slug]
    assert "secretary" in {r["name"] for r in admin.get_realm_roles_of_user(user_id)}

    second = (await gql_data(live_server, CREATE, variables, token))["createTenant"]
    assert second["errors"] == [] and second["created"] is False
    assert second["initialSecretaryPassword"] is None
    assert second["provisioning"] == ["identity provider already up to date"]
    assert len([u for u in admin.get_users({"username": f"{new_slug}-secretary", "exact": True})]) == 1
    children = admin.get_group_children(admin.get_group_by_path("/tenants")["id"])
    assert [g["name"] for g in children].count(new_slug) == 1

    tenants = (await gql_data(live_server, "{ tenants { slug } }", token=token))["tenants"]
    assert [t["slug"] for t in tenants].count(new_slug) == 1


@pytest.mark.parametrize("username", ["jiangning-district-admin", "jinshui-secretary", "hushu-volunteer"])
async def test_others_are_refused(live_server, new_slug, username):
    variables = {"input": {"slug": new_slug, "name": "x", "districtSlug": "jiangning"}}
    body = (await gql(live_server, CREATE, variables, password_token(username))).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin_view = await gql_data(live_server, "{ tenants { slug } }", token=password_token("platform-admin"))
    assert new_slug not in {t["slug"] for t in admin_view["tenants"]}


async def test_bad_input_returns_typed_errors_and_writes_nothing(live_server):
    token = password_token("platform-admin")
    variables = {"input": {"slug": "Bad Slug!", "name": " ", "districtSlug": "jiangning", "kind": "TOWN"}}
    errors = (await gql_data(live_server, CREATE, variables, token))["createTenant"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {("slug", "INVALID_SLUG"), ("name", "INVALID_NAME")}
    variables = {"input": {"slug": "city-street", "name": "x", "districtSlug": "jiangning", "kind": "CITY"}}
    body = (await gql(live_server, CREATE, variables, token)).json()  # not a TenantKind: refused before it runs
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    variables = {"input": {"slug": "nowhere-street", "name": "x", "districtSlug": "no-such-district"}}
    errors = (await gql_data(live_server, CREATE, variables, token))["createTenant"]["errors"]
    assert errors == [{"field": "districtSlug", "code": "NOT_FOUND", "message": "no district 'no-such-district'"}]


async def test_district_admin_sees_its_tenants_only_read(live_server):
    token = password_token("jiangning-district-admin")
    tenants = (await gql_data(live_server, "{ tenants { slug districtSlug } }", token=token))["tenants"]
    assert {"jinshui", "hushu"} <= {t["slug"] for t in tenants}
    assert all(t["districtSlug"] == "jiangning" for t in tenants)
    own = await gql_data(live_server, "{ tenants { slug } }", token=password_token("hushu-secretary"))
    assert own["tenants"] == [{"slug": "hushu"}]

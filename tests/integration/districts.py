"""A second district with its own admin, for the tests of district views."""

from __future__ import annotations

import uuid

import pytest

from .clients import gql_data, password_token, realm_admin


@pytest.fixture(scope="module")
async def other_district(live_server):
    """A second district with one tenant, made through the platform admin's mutations, and a
    district admin of it in Keycloak (removed afterwards)."""
    suffix = uuid.uuid4().hex[:8]
    slug, tenant_slug, username = f"d{suffix}", f"t{suffix}", f"district-admin-{suffix}"
    platform = password_token("platform-admin")
    made = await gql_data(
        live_server,
        "mutation($input: CreateDistrictInput!) { createDistrict(input: $input) { created errors { code } } }",
        {"input": {"slug": slug, "name": "溧水区"}},
        platform,
    )
    assert made["createDistrict"] == {"created": True, "errors": []}
    made = await gql_data(
        live_server,
        "mutation($input: CreateTenantInput!) { createTenant(input: $input) { created errors { code } } }",
        {"input": {"slug": tenant_slug, "name": "永阳街道", "districtSlug": slug}},
        platform,
    )
    assert made["createTenant"] == {"created": True, "errors": []}
    admin = realm_admin()
    password = f"Pw-{uuid.uuid4().hex}"
    user_id = admin.create_user(
        {
            "username": username,
            "email": f"{username}@example.org",
            "firstName": username,
            "lastName": slug,
            "enabled": True,
            "emailVerified": True,
            "attributes": {"district": [slug]},
            "credentials": [{"type": "password", "value": password, "temporary": False}],
        }
    )
    admin.assign_realm_roles(user_id, [admin.get_realm_role("district-admin")])
    try:
        yield {"slug": slug, "tenant": tenant_slug, "token": password_token(username, password)}
    finally:
        admin.delete_user(user_id)

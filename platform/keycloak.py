"""The Keycloak admin client, authenticated as the API client's service account.

Provisioning (tenants, users) and the user-status check go through this; it uses client
credentials, so no human admin password is ever configured in the app.
"""

from __future__ import annotations

from keycloak import KeycloakAdmin, KeycloakOpenIDConnection

from redgrid.platform.settings import Settings


def keycloak_admin(settings: Settings) -> KeycloakAdmin:
    connection = KeycloakOpenIDConnection(
        server_url=settings.keycloak_url.rstrip("/") + "/",
        realm_name=settings.keycloak_realm,
        client_id=settings.keycloak_client_id,
        client_secret_key=settings.keycloak_client_secret,
        grant_type="client_credentials",
        verify=True,
    )
    return KeycloakAdmin(connection=connection)

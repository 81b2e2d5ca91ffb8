"""Accounts of the people who work a street's grid: created, changed, disabled and re-enabled
in Keycloak by a secretary (or, for volunteers, a grid head), scoped to a grid node, and
every change on an audit trail."""

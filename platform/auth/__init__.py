"""Authentication: local verification of Keycloak (or dev identity) tokens."""

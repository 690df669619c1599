"""Keycloak facts several of these tests check against, written once (from Keycloak's
defaults, never from realmgate's own constants, so the tests stay independent of the code)."""

from __future__ import annotations

DEFAULT_CLIENT_SCOPES = ("profile", "email", "roles", "web-origins", "acr", "basic")
"""The default client scopes a new OIDC client gets, in Keycloak's order."""

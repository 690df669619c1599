"""realmgate: an OpenID Connect provider and identity broker that speaks Keycloak's dialect."""

__version__ = "0.1.0"

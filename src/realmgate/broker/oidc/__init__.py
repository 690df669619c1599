"""The OpenID Connect connector (providerId ``oidc`` and ``keycloak-oidc``)."""

"""The GitHub social provider (Keycloak's ``GitHubIdentityProvider``): OAuth 2.0, then the profile API."""

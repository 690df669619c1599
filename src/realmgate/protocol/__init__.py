"""OpenID Connect / OAuth 2 rules: typed inputs in, results or ``OAuthError`` out. No HTTP, no SQL."""

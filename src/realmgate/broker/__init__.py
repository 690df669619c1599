"""Identity brokering: realmgate as a client of upstream OpenID Connect providers."""

"""Makes the ``oidc_provider`` fixture available to the tests beside it."""

from tests.e2e.upstream.oidc_provider_fixture import oidc_provider

__all__ = ["oidc_provider"]

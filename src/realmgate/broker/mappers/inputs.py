"""What a mapper reads: the upstream login (``MapperContext``) and the local user (``UserState``).

Both are plain data built by the broker flow before the mappers run, so every mapper is a
pure function and the whole plan can be computed, tested and logged without a database.
These types are local to the mappers package on purpose: the flow translates its own
``BrokeredIdentity`` into a ``MapperContext`` in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from realmgate.broker.mappers.claims import ClaimSet, claim_value
from realmgate.model.identity_provider import MapperGrant


@dataclass(frozen=True, slots=True)
class MapperContext:
    """One brokered login as the mappers see it.

    ``access_token`` holds the claims of the upstream access token only when it was
    validated as a JWT (always for ``keycloak-oidc``, for ``oidc`` with ``isAccessTokenJWT``);
    External Role to Role reads ``realm_access``/``resource_access`` from it.
    ``new_id`` makes ``${UUID}`` in username templates (the login's ``Randomness.new_id``);
    injected so tests are repeatable.
    """

    alias: str
    provider_id: str
    id_token: ClaimSet | None = None
    userinfo: ClaimSet | None = None
    access_token: ClaimSet | None = None
    registration_email_as_username: bool = False
    new_id: Callable[[], str] = field(kw_only=True)

    def claim(self, path: str) -> object | None:
        """A claim by path: access token, then ID token, then userinfo (Keycloak's order)."""
        return claim_value((self.access_token, self.id_token, self.userinfo), path)


@dataclass(frozen=True, slots=True)
class UserState:
    """The local user of a later login, as loaded before the mappers run.

    ``role_ids`` are the user's *direct* role mappings (no composites, no group roles);
    ``mapper_grants`` are the provenance records of roles and groups that mappers granted
    (see ``apply``), for every identity provider, not just the current one.
    """

    username: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    role_ids: frozenset[str] = frozenset()
    group_ids: frozenset[str] = frozenset()
    mapper_grants: frozenset[MapperGrant] = frozenset()

    def profile(self, name: str) -> str | None:
        """``email``/``firstName``/``lastName`` by their Keycloak attribute name."""
        return {"email": self.email, "firstName": self.first_name, "lastName": self.last_name}[name]

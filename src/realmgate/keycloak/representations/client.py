"""ClientRepresentation <-> ``Client``; ClientScopeRepresentation <-> ``ClientScope``.

Nested ``protocolMappers`` are converted too. Scope role mappings and the client's roles are
separate resources (``scopeMappings``/``roles.client`` in a realm file) handled by the import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from realmgate.crypto.algorithms import UnsupportedAlgorithm, check_client_attributes
from realmgate.crypto.secrets import Randomness
from realmgate.keycloak.representations._mapping import (
    JsonObject,
    RepresentationError,
    Spec,
    from_rep,
    names,
    to_rep,
    unknown_fields,
)
from realmgate.keycloak.representations.protocol_mapper import MAPPERS_OUT, mappers_in
from realmgate.model.client import Client, ClientScope

IGNORED_CLIENT_FIELDS = names(
    """
    registeredNodes authorizationServicesEnabled authorizationSettings access origin
    registrationAccessToken clientTemplate useTemplateConfig useTemplateScope useTemplateMappers
    directGrantsOnly defaultRoles authenticationFlowBindingOverrides
    """
)

CLIENT_SPEC = Spec(
    cls=Client,
    internal=frozenset({"realm_id", "scope_role_ids"}),
    converters={"protocol_mappers": MAPPERS_OUT},
    ignored=IGNORED_CLIENT_FIELDS,
)

CLIENT_SCOPE_SPEC = Spec(
    cls=ClientScope,
    internal=frozenset({"realm_id", "scope_role_ids"}),
    converters={"protocol_mappers": MAPPERS_OUT},
)


def _reading(spec: Spec, ids: Randomness, with_id: bool) -> Spec:
    """``spec`` reading nested mappers, new ones with ids from ``ids``."""
    return replace(spec, converters={"protocol_mappers": mappers_in(ids, with_id=with_id)})


def client_to_rep(client: Client) -> JsonObject:
    return to_rep(CLIENT_SPEC, client)


def client_from_rep(
    rep: Mapping[str, object], base: Client, *, ids: Randomness, with_id: bool = False
) -> tuple[Client, list[str]]:
    """Apply ``rep`` onto ``base`` (a new client from ``defaults.new_client`` or the stored one).
    Every entry point (admin API, partial import, realm import) comes through here, so a
    signature algorithm realmgate cannot honour is refused here, naming the attribute. Nested
    protocol mappers the JSON gives no id (or all of them, without ``with_id``) get one from ``ids``."""
    spec = _reading(CLIENT_SPEC, ids, with_id)
    client = from_rep(spec, rep, base, with_id=with_id)
    if not client.client_id:
        raise RepresentationError("clientId", "is required")
    try:
        check_client_attributes(client.attributes)
    except UnsupportedAlgorithm as exc:
        raise RepresentationError(f"attributes[{exc.setting!r}]", str(exc)) from None
    return client, unknown_fields(spec, rep)


def client_scope_to_rep(scope: ClientScope) -> JsonObject:
    return to_rep(CLIENT_SCOPE_SPEC, scope)


def client_scope_from_rep(
    rep: Mapping[str, object], base: ClientScope, *, ids: Randomness, with_id: bool = False
) -> tuple[ClientScope, list[str]]:
    spec = _reading(CLIENT_SCOPE_SPEC, ids, with_id)
    scope = from_rep(spec, rep, base, with_id=with_id)
    if not scope.name:
        raise RepresentationError("name", "is required")
    return scope, unknown_fields(spec, rep)

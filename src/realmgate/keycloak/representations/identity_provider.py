"""IdentityProviderRepresentation and IdentityProviderMapperRepresentation <-> model.

Two Keycloak input rules live here: the legacy ``config.hideOnLoginPage`` becomes the top-level
``hideOnLogin`` (KC26), and empty-string config values are dropped, as Keycloak does on save.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from realmgate.keycloak.representations._mapping import (
    JsonObject,
    RepresentationError,
    Spec,
    from_rep,
    names,
    to_rep,
    unknown_fields,
)
from realmgate.model.identity_provider import IdentityProvider, IdentityProviderMapper

IDENTITY_PROVIDER_SPEC = Spec(
    cls=IdentityProvider,
    internal=frozenset({"realm_id"}),
    ignored=names("authenticateByDefault updateProfileFirstLoginMode organizationId types"),
    id_fields=frozenset({"internal_id"}),
)

IDP_MAPPER_SPEC = Spec(cls=IdentityProviderMapper, internal=frozenset({"realm_id"}))

_LEGACY_HIDE = "hideOnLoginPage"


def identity_provider_to_rep(idp: IdentityProvider) -> JsonObject:
    """The provider as Keycloak returns it; masking ``clientSecret`` is the admin API's job."""
    return to_rep(IDENTITY_PROVIDER_SPEC, idp)


def identity_provider_from_rep(
    rep: Mapping[str, object], base: IdentityProvider, *, with_id: bool = False
) -> tuple[IdentityProvider, list[str]]:
    idp = from_rep(IDENTITY_PROVIDER_SPEC, rep, base, with_id=with_id)
    if not idp.alias:
        raise RepresentationError("alias", "is required")
    if not idp.provider_id:
        raise RepresentationError("providerId", "is required")
    config = dict(idp.config)
    legacy_hide = config.pop(_LEGACY_HIDE, None)
    hide = idp.hide_on_login
    if legacy_hide is not None and "hideOnLogin" not in rep:
        hide = legacy_hide.lower() == "true"
    config = {k: v for k, v in config.items() if v != ""}
    return replace(idp, config=config, hide_on_login=hide), unknown_fields(IDENTITY_PROVIDER_SPEC, rep)


def idp_mapper_to_rep(mapper: IdentityProviderMapper) -> JsonObject:
    return to_rep(IDP_MAPPER_SPEC, mapper)


def idp_mapper_from_rep(
    rep: Mapping[str, object], base: IdentityProviderMapper, *, with_id: bool = False
) -> tuple[IdentityProviderMapper, list[str]]:
    mapper = from_rep(IDP_MAPPER_SPEC, rep, base, with_id=with_id)
    for json_name, value in (
        ("name", mapper.name),
        ("identityProviderAlias", mapper.identity_provider_alias),
        ("identityProviderMapper", mapper.identity_provider_mapper),
    ):
        if not value:
            raise RepresentationError(json_name, "is required")
    return mapper, unknown_fields(IDP_MAPPER_SPEC, rep)

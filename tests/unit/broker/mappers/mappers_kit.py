"""Builders shared by the mapper tests."""

from __future__ import annotations

import itertools
import json

from realmgate.broker.mappers.inputs import MapperContext
from realmgate.model.identity_provider import IdentityProviderMapper

ALIAS = "slave"
_ids = itertools.count(1)


def mapper(
    type_id: str, config: dict[str, str], *, id: str | None = None, name: str | None = None
) -> IdentityProviderMapper:
    mapper_id = id or f"m{next(_ids)}"
    return IdentityProviderMapper(
        id=mapper_id,
        realm_id="realm",
        name=name or mapper_id,
        identity_provider_alias=ALIAS,
        identity_provider_mapper=type_id,
        config=config,
    )


def claims_map(*pairs: tuple[str, str]) -> str:
    return json.dumps([{"key": k, "value": v} for k, v in pairs])


def context(
    *,
    id_token: dict[str, object] | None = None,
    userinfo: dict[str, object] | None = None,
    access_token: dict[str, object] | None = None,
    provider_id: str = "keycloak-oidc",
    registration_email_as_username: bool = False,
) -> MapperContext:
    return MapperContext(
        alias=ALIAS,
        provider_id=provider_id,
        id_token=id_token if id_token is not None else {"sub": "u1"},
        userinfo=userinfo,
        access_token=access_token,
        registration_email_as_username=registration_email_as_username,
        new_id=lambda: "0000-uuid",
    )

"""``import-config``: an OpenID Provider Metadata document turned into the config map Keycloak's
``OIDCIdentityProviderFactory.parseConfig`` returns (endpoints absent from the document come
back as ``None``, as Keycloak's ``null``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

import httpx

from realmgate.broker.errors import ConfigInvalid
from realmgate.broker.upstream import call

WHAT = "discovery document"


def _endpoint(doc: Mapping[str, object], name: str) -> str | None:
    value = doc.get(name)
    return value if isinstance(value, str) and value else None


def parse_discovery(document: bytes | str | Mapping[str, object]) -> dict[str, str | None]:
    """The config map for an uploaded or fetched discovery document."""
    if isinstance(document, bytes | str):
        try:
            parsed = json.loads(document)
        except ValueError:
            raise ConfigInvalid("failed to load openid connect metadata") from None
    else:
        parsed = dict(document)
    if not isinstance(parsed, dict):
        raise ConfigInvalid("failed to load openid connect metadata")
    config: dict[str, str | None] = {
        "issuer": _endpoint(parsed, "issuer"),
        "logoutUrl": _endpoint(parsed, "end_session_endpoint"),
        "authorizationUrl": _endpoint(parsed, "authorization_endpoint"),
        "tokenUrl": _endpoint(parsed, "token_endpoint"),
        "userInfoUrl": _endpoint(parsed, "userinfo_endpoint"),
    }
    jwks_uri = _endpoint(parsed, "jwks_uri")
    if jwks_uri is not None:
        config.update(validateSignature="true", useJwksUrl="true", jwksUrl=jwks_uri)
    introspection = _endpoint(parsed, "introspection_endpoint")
    if introspection is not None:
        config["tokenIntrospectionUrl"] = introspection
    return config


async def import_from_url(
    http: httpx.AsyncClient,
    url: str,
    parse: Callable[[bytes | str | Mapping[str, object]], dict[str, str | None]] = parse_discovery,
) -> dict[str, str | None]:
    """Fetch ``url`` and ``parse`` it (the provider type's reader); ``metadataDescriptorUrl``
    records where it came from."""
    response = await call(http, "GET", url, what=WHAT, headers={"Accept": "application/json"})
    config = parse(response.body)
    config["metadataDescriptorUrl"] = url
    return config

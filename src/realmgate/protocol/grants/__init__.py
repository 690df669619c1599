"""One module per OAuth grant type; each turns a ``GrantRequest`` into issued tokens."""

from __future__ import annotations

from dataclasses import dataclass

from realmgate.model.client import Client
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.requests import EndpointCall, TokenRequest
from realmgate.store.interface import Tx


@dataclass(frozen=True, slots=True)
class GrantRequest:
    """A token request after client authentication."""

    tx: Tx
    config: RealmConfig
    client: Client
    request: TokenRequest
    call: EndpointCall

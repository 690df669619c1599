"""Implicit and hybrid responses (tokens in the authorization response) over a real SQLite store."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from tests.unit.protocol.conftest import World
from tests.unit.protocol.test_flows import authorize, token

from realmgate.crypto import jws
from realmgate.protocol.tokens import at_hash


async def respond(world: World, response_type: str) -> tuple[dict[str, str], Any]:
    """Enable the implicit flow for "app", then log alice in with ``response_type``."""
    async with world.store.tx() as tx:
        config = await world.config(tx)
        await tx.clients.update(dataclasses.replace(config.clients["app"], implicit_flow_enabled=True))
    world.cache.forget(world.realm_id)
    response = await authorize(world, response_type=response_type)
    async with world.store.tx() as tx:
        config = await world.config(tx)
    return response, config.keys


async def test_implicit_id_token_token(world: World) -> None:
    response, keys = await respond(world, "id_token token")
    assert "code" not in response and "refresh_token" not in response
    assert response["token_type"] == "Bearer" and response["expires_in"] == "900"  # implicit lifespan
    id_token = jws.verify(response["id_token"], keys, algorithms=["RS256"])
    assert id_token["nonce"] == "n-1" and id_token["at_hash"] == at_hash(response["access_token"], "RS256")
    assert "c_hash" not in id_token
    access = jws.verify(response["access_token"], keys, algorithms=["RS256"])
    expires, issued = access["exp"], access["iat"]
    assert isinstance(expires, int) and isinstance(issued, int) and expires - issued == 900


async def test_hybrid_code_id_token_has_c_hash_and_a_redeemable_code(world: World) -> None:
    response, keys = await respond(world, "code id_token")
    assert "access_token" not in response and response["code"]
    id_token = jws.verify(response["id_token"], keys, algorithms=["RS256"])
    assert id_token["c_hash"] == at_hash(response["code"], "RS256") and "at_hash" not in id_token
    redeemed = await token(
        world, {"grant_type": "authorization_code", "code": response["code"], "redirect_uri": "https://app.example/cb"}
    )
    assert redeemed["refresh_token"] and redeemed["expires_in"] == 300


@pytest.mark.parametrize("response_type", ["code token", "code id_token token"])
async def test_hybrid_with_token(world: World, response_type: str) -> None:
    response, keys = await respond(world, response_type)
    assert response["code"] and response["access_token"]
    if "id_token" in response_type:
        id_token = jws.verify(response["id_token"], keys, algorithms=["RS256"])
        assert id_token["at_hash"] == at_hash(response["access_token"], "RS256")
        assert id_token["c_hash"] == at_hash(response["code"], "RS256")

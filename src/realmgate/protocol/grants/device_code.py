"""``grant_type=urn:ietf:params:oauth:grant-type:device_code`` (RFC 8628 §3.4): the device's
poll, answered with the polling error that applies until the user has approved."""

from __future__ import annotations

from realmgate.protocol import device
from realmgate.protocol.errors import UnauthorizedClient
from realmgate.protocol.grants import GrantRequest
from realmgate.protocol.grants.authorization_code import session_tokens
from realmgate.protocol.requests import DeviceCodeGrant
from realmgate.protocol.tokens import IssuedTokens


async def grant(req: GrantRequest) -> IssuedTokens:
    if not device.enabled_for(req.client):
        raise UnauthorizedClient("Client not allowed OAuth 2.0 Device Authorization Grant")
    record = await device.poll(req.tx, req.client, req.request.grant(DeviceCodeGrant).device_code, now=req.call.now)
    assert record.session_id is not None and record.user_id is not None  # set before approval
    return await session_tokens(req, record.session_id, record.user_id, record.scope, nonce=None, fresh_login=False)

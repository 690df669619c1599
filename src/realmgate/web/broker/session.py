"""The end of a brokered login: the same session, code and cookies as after a password login,
plus the broker's marks on the session (upstream session and user ids, notes for logout)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.requests import Request
from starlette.responses import Response

from realmgate.broker import flow, mapper_flow
from realmgate.broker.connector import BrokeredIdentity
from realmgate.protocol import login_flow
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Tx
from realmgate.web.context import get_ctx
from realmgate.web.oidc.authorize import finish_login


def _session_id(response: Response) -> str | None:
    """The user session ``finish_login`` just made, from the session cookie it set."""
    for name, value in response.raw_headers:
        if name.lower() != b"set-cookie":
            continue
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(value.decode("latin-1"))
        morsel = cookie.get(login_flow.SESSION_COOKIE)
        if morsel is not None and morsel.value:
            return morsel.value
    return None


async def finish_brokered_login(
    request: Request,
    tx: Tx,
    config: RealmConfig,
    step: login_flow.LoginStep,
    identity: BrokeredIdentity,
    outcome: mapper_flow.MapperOutcome,
    *,
    registered: bool = False,
) -> Response:
    """Complete the login step for the user the mappers left (``outcome``) and mark its session
    as brokered by ``identity``, with the mappers' session notes."""
    details = {"identity_provider": identity.alias, "identity_provider_identity": identity.username}
    if registered:
        details["register_method"] = "broker"
    response = await finish_login(request, tx, config, step, outcome.user, event_details=details)
    session_id = _session_id(response)
    session = await tx.sessions.get(config.realm.id, session_id) if session_id else None
    if session is not None:
        await mapper_flow.note_session(tx, await flow.mark_session(tx, session, identity), outcome)
    get_ctx(request).metrics.login(True)
    return response

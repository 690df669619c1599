"""The end of a brokered login: the same required actions, session, code and cookies as after a
password login, the session marked with the broker's ids and the mappers' notes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from realmgate.broker import flow, mapper_flow
from realmgate.broker.connector import BrokeredIdentity
from realmgate.protocol import login_flow
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Tx
from realmgate.web.context import get_ctx
from realmgate.web.oidc.login_end import continue_login


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
    """Continue the login step for the user the mappers left (``outcome``); the session made at
    its end (after any required action) records ``identity`` and the mappers' session notes."""
    details = {"identity_provider": identity.alias, "identity_provider_identity": identity.username}
    if registered:
        details["register_method"] = "broker"
    marks = flow.session_marks(identity, outcome.session_notes)
    response = await continue_login(request, tx, config, step, outcome.user, marks=marks, event_details=details)
    get_ctx(request).metrics.login(True)
    return response

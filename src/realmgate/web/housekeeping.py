"""The expiry sweep: every instance, every ``--expiry-sweep-interval`` seconds, ends the
sessions whose lifespan has passed and drops expired one-time values.

Token and login requests already refuse an expired session; the sweep is what ends it, so that
the clients with a back-channel logout URL hear of it (``protocol.sessions.end_expired_sessions``)
and the tables do not grow without bound. Instances sweep concurrently without coordination:
each expired session is taken (deleted and returned) by exactly one of them.
"""

from __future__ import annotations

import asyncio
import logging

from realmgate.protocol import logout_tokens
from realmgate.protocol.sessions import EXPIRED_BATCH, end_expired_sessions
from realmgate.web.app_context import AppContext

log = logging.getLogger("realmgate.expiry")


async def sweep(ctx: AppContext) -> int:
    """One sweep; returns how many sessions it ended. Logout tokens of a batch are posted once
    its transaction has committed, before the next batch is taken."""
    now = int(ctx.clock())
    total = 0
    while True:
        async with ctx.store.tx() as tx:
            ended, items = await end_expired_sessions(tx, now, ctx.ids)
        total += ended
        if items:
            await logout_tokens.deliver(ctx.http, items)
        if ended < EXPIRED_BATCH:
            break
    async with ctx.store.tx() as tx:
        await tx.single_use.purge_expired(now)
    return total


async def sweep_forever(ctx: AppContext) -> None:
    """Sweep every interval until cancelled (at shutdown). A failed sweep (the database away)
    is logged by its error type and retried at the next interval."""
    while True:
        await asyncio.sleep(ctx.settings.expiry_sweep_interval)
        try:
            ended = await sweep(ctx)
        except Exception as exc:
            log.warning("expiry sweep failed: %s", type(exc).__name__)
            continue
        if ended:
            log.info("expiry sweep ended %d session(s)", ended)

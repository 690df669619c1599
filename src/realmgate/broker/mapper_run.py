"""Identity provider mappers inside a brokered login's transaction: load, plan, apply.

The planning is pure (``broker.mappers``); this module is the store side around it. One
``MapperRun`` serves one login step (one request of the first-login state machine,
``broker.first_login_flow``): the provider's mappers are loaded once and preprocessed once.

1. ``MapperRun.load`` right after the callback (or the page post), before the user lookup: the
   username template's BROKER_ID / BROKER_USERNAME targets replace the upstream id and username
   used to find and store the link (``run.identity``), and its LOCAL target becomes the username
   a first login proposes (``run.username`` for ``first_login.proposed_username``).
2. ``run.apply`` once the local user is known, in the transaction that creates or finds it,
   continuing from that preprocess result: ``created=True`` right after ``flow.create_user``
   (every mapper's import hook); ``created=False`` for a later login *and* for a first login
   that linked an existing account (Keycloak's ``updateFederatedIdentity``): each mapper's
   effective sync mode decides, and the provider-level profile sync (``flow.update_on_login``)
   runs here, with the fields an IMPORT mapper owns left alone. So a later login calls
   ``apply`` *instead of* ``flow.update_on_login``. The mappers' problems are logged here,
   once per login.

Then the mappers' notes go onto the new user session (``flow.session_marks``).

Role mappings and memberships are written idempotently (a held role is never granted twice,
Keycloak #11140) and every mapper grant is recorded in ``tx.mapper_grants``, so FORCE revokes
only what mappers granted and never what an administrator granted (see
``broker.mappers.apply``). Roles reach tokens because the token and userinfo endpoints
read the user's role mappings from the store on every request (no cache holds them).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from realmgate.broker.connector import BrokeredIdentity
from realmgate.broker.login_store import update_on_login
from realmgate.broker.mappers import (
    MapperContext,
    MappingPlan,
    Preprocessing,
    UserState,
    plan_login,
    preprocess,
    resolve_references,
    updated_user,
)
from realmgate.crypto.secrets import Randomness
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.realm import Realm
from realmgate.model.user import User
from realmgate.store.interface import Tx

log = logging.getLogger("realmgate.broker.mappers")


@dataclass(frozen=True, slots=True)
class MapperOutcome:
    """The user after the mappers ran, and the notes for the user session being created."""

    user: User
    session_notes: Mapping[str, str] = field(default_factory=dict)


def _context(realm: Realm, idp: IdentityProvider, identity: BrokeredIdentity, ids: Randomness) -> MapperContext:
    return MapperContext(
        alias=idp.alias,
        provider_id=idp.provider_id,
        id_token=identity.id_token_claims,
        userinfo=identity.userinfo_claims,
        access_token=identity.access_token_claims,
        registration_email_as_username=realm.registration_email_as_username,
        new_id=ids.new_id,
    )


def _log_problems(plan: MappingPlan, realm: Realm, idp: IdentityProvider) -> None:
    for problem in plan.problems:
        log.warning("realm %s, identity provider %s: %s", realm.name, idp.alias, problem)


async def _user_state(tx: Tx, user: User) -> UserState:
    return UserState(
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        attributes=dict(user.attributes),
        role_ids=frozenset(await tx.users.role_ids(user.realm_id, user.id)),
        group_ids=frozenset(await tx.users.group_ids(user.realm_id, user.id)),
        mapper_grants=frozenset(await tx.mapper_grants.list(user.realm_id, user.id)),
    )


async def _without_held(tx: Tx, user: User, plan: MappingPlan) -> MappingPlan:
    """On a first login the plan does not know what the new user already holds (default
    roles, or everything of an existing account being linked): those stay unrecorded, so a
    FORCE mapper never revokes them (``broker.mappers.apply``: a mapping held without records is not
    a mapper's)."""
    held = {("role", r) for r in await tx.users.role_ids(user.realm_id, user.id)}
    held |= {("group", g) for g in await tx.users.group_ids(user.realm_id, user.id)}
    kept = frozenset(g for g in plan.grants_added if (g.kind, g.target_id) not in held)
    return plan if kept == plan.grants_added else dataclasses.replace(plan, grants_added=kept)


async def _apply_mappings(tx: Tx, user: User, plan: MappingPlan) -> None:
    """Mappings, memberships and their provenance records; every step is idempotent."""
    realm_id, user_id = user.realm_id, user.id
    if plan.revoke_role_ids:
        await tx.users.revoke_roles(realm_id, user_id, sorted(plan.revoke_role_ids))
    if plan.grant_role_ids:
        await tx.users.grant_roles(realm_id, user_id, sorted(plan.grant_role_ids))
    for group_id in sorted(plan.leave_group_ids):
        await tx.users.leave_group(realm_id, user_id, group_id)
    if plan.join_group_ids:
        held = set(await tx.users.group_ids(realm_id, user_id))
        for group_id in sorted(plan.join_group_ids - held):
            await tx.users.join_group(realm_id, user_id, group_id)
    if plan.grants_removed:
        await tx.mapper_grants.remove(realm_id, user_id, sorted(plan.grants_removed))
    if plan.grants_added:
        await tx.mapper_grants.add(realm_id, user_id, sorted(plan.grants_added))


@dataclass(frozen=True, slots=True)
class MapperRun:
    """The provider's mappers for one login step, loaded and preprocessed once.

    ``identity`` is the callback's identity with the BROKER_ID / BROKER_USERNAME replacements
    (use it for the lookup, the link and everything after); ``username`` is the LOCAL template
    result or None; ``ids`` is what the mappers' templates draw ids from.
    """

    realm: Realm
    idp: IdentityProvider
    identity: BrokeredIdentity
    username: str | None
    preprocessing: Preprocessing
    ids: Randomness

    @classmethod
    async def load(
        cls, tx: Tx, *, realm: Realm, idp: IdentityProvider, identity: BrokeredIdentity, ids: Randomness
    ) -> MapperRun:
        mappers = await tx.idp_mappers.list(realm.id, idp.alias)
        preprocessing = preprocess(mappers=mappers, ctx=_context(realm, idp, identity, ids))
        replaced = dataclasses.replace(
            identity,
            id=preprocessing.upstream_id or identity.id,
            username=preprocessing.upstream_username or identity.username,
        )
        return cls(realm, idp, replaced, preprocessing.model_username, preprocessing, ids)

    async def apply(self, tx: Tx, *, user: User, created: bool) -> MapperOutcome:
        """Run the mappers' login hooks for ``user`` and write what they decided.

        ``user`` is the user just created (``created``) or the linked one as loaded. Raises the
        store's ``Conflict`` when a username template renames the user onto a taken username
        (the login then fails; nothing of it is committed).
        """
        realm, idp = self.realm, self.idp
        mappers = [mapper for mapper, _, _ in self.preprocessing.steps]
        directory = await resolve_references(tx, realm.id, mappers)
        state = None if created else await _user_state(tx, user)
        plan = plan_login(
            preprocessing=self.preprocessing,
            provider_config=idp.config,
            ctx=_context(realm, idp, self.identity, self.ids),
            user=state,
            directory=directory,
        )
        if created:
            plan = await _without_held(tx, user, plan)
        _log_problems(plan, realm, idp)
        synced = user
        if not created:
            synced = await update_on_login(
                tx, realm=realm, idp=idp, identity=self.identity, user=user, pinned=plan.pinned_profile_fields
            )
        final = updated_user(user, synced, plan)
        if final != synced:
            await tx.users.update(final)
        await _apply_mappings(tx, final, plan)
        return MapperOutcome(final, dict(plan.session_notes))

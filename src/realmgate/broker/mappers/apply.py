"""Run the mappers of one identity provider for one login and fold their effects into a plan.

Call order, as in Keycloak: every mapper's ``preprocess`` on every login (``preprocess``, once,
before the user lookup); then (``plan_login``, continuing from that result), on a first
login, every mapper's ``import_new_user``; on a later login the hook of each mapper's
effective sync mode (see ``sync``). The result is data (``MappingPlan``) that the broker
flow applies in one transaction; nothing here touches the store.

Deliberate differences from Keycloak, each a reported Keycloak bug:

* a mapper's own sync mode wins over the provider's (#43221), also against the provider-level
  FORCE overwrite of email/first/last name: the plan names the fields an IMPORT mapper owns
  (``pinned_profile_fields``) so the flow leaves them alone;
* a role or group already held is never granted again (#11140, duplicate key under FORCE);
* a FORCE attribute importer clears the email (first/last name) the upstream stopped sending
  (#40434);
* revocation goes through provenance (below): a role an admin granted survives,
  and a role granted by two mappers goes only when neither grants it any more.

Provenance rules (records are ``realmgate.model.identity_provider.MapperGrant``):

* a mapper that grants a target the user does not hold yet creates the mapping and a record;
* a mapper that grants a target the user holds *with* records adds its own record;
* a mapper that grants a target the user holds *without* any record (an admin grant, a
  default role, an imported mapping) adds nothing: that mapping stays the admin's;
* a mapper that stops granting drops only its own record; the mapping is revoked when its
  last record goes and no mapper granted it during this login.

What the admin API must do so admin grants stay "direct": when an administrator grants a
role (or adds a group membership) the user already holds through mappers, or removes one,
``forget`` the records of that user and target; the mapping is then the admin's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from realmgate.broker.mappers import registry
from realmgate.broker.mappers.base import MapperType
from realmgate.broker.mappers.effects import (
    Effect,
    Grant,
    MappingPlan,
    ProfileField,
    SessionNote,
    SetAttribute,
    SetIdentity,
    SetProfile,
    SetUsername,
    Withdraw,
)
from realmgate.broker.mappers.inputs import MapperContext, UserState
from realmgate.broker.mappers.refs import Directory
from realmgate.broker.mappers.sync import (
    Hook,
    effective_sync_mode,
    hook_for,
    mapper_sync_mode,
    provider_sync_mode,
)
from realmgate.model.identity_provider import GrantKind, IdentityProviderMapper, MapperGrant

Target = tuple[GrantKind, str]  # (kind, role or group id)


@dataclass(slots=True)
class _Decision:
    mapper_id: str
    grant: bool
    target: Target


@dataclass(slots=True)
class _Fold:
    """Mutable accumulator while the mappers run; frozen into a ``MappingPlan`` at the end."""

    identity: dict[str, str] = field(default_factory=dict)
    username: str | None = None
    profile: dict[ProfileField, str | None] = field(default_factory=dict)
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    decisions: list[_Decision] = field(default_factory=list)
    # Mappers whose update hook re-evaluated their target, with the targets they name now.
    reevaluated: dict[str, set[Target]] = field(default_factory=dict)
    pinned: set[ProfileField] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Preprocessing:
    """Every usable mapper with its ``preprocess`` effects for one login, and the problems of
    the unusable ones: computed once, before the user lookup, then continued by ``plan_login``
    (the hook never runs twice in a login)."""

    steps: tuple[tuple[IdentityProviderMapper, MapperType, tuple[Effect, ...]], ...] = ()
    problems: tuple[str, ...] = ()
    identity: Mapping[str, str] = field(default_factory=dict)  # username template target -> value

    @property
    def model_username(self) -> str | None:
        return self.identity.get("LOCAL")

    @property
    def upstream_id(self) -> str | None:
        return self.identity.get("BROKER_ID")

    @property
    def upstream_username(self) -> str | None:
        return self.identity.get("BROKER_USERNAME")


def _usable(mapper: IdentityProviderMapper, ctx: MapperContext, problems: list[str]) -> MapperType | None:
    mapper_type = registry.get(mapper.identity_provider_mapper)
    if mapper_type is None:
        problems.append(f"Mapper '{mapper.name}' has unknown type '{mapper.identity_provider_mapper}'")
        return None
    if not mapper_type.supports(ctx.provider_id):
        problems.append(f"Mapper '{mapper.name}' ({mapper_type.id}) does not support {ctx.provider_id}")
        return None
    return mapper_type


def _resolve(kind: GrantKind, ref: str, directory: Directory) -> str | None:
    return directory.role_id(ref) if kind == "role" else directory.group_id(ref)


def _fold_effects(
    fold: _Fold,
    mapper: IdentityProviderMapper,
    effects: Iterable[Effect],
    directory: Directory,
    hook: Hook | None,
) -> None:
    for effect in effects:
        if isinstance(effect, SetIdentity):
            fold.identity[effect.target] = effect.value
        elif isinstance(effect, SetUsername):
            fold.username = effect.value
        elif isinstance(effect, SetProfile):
            value = effect.value.lower() if effect.field == "email" and effect.value else effect.value
            fold.profile[effect.field] = value
        elif isinstance(effect, SetAttribute):
            fold.attributes[effect.name] = effect.values
        elif isinstance(effect, SessionNote):
            fold.notes[effect.name] = effect.value
        elif isinstance(effect, Grant | Withdraw):
            target_id = _resolve(effect.kind, effect.ref, directory)
            if target_id is None:
                fold.problems.append(
                    f"Unable to find {effect.kind} '{effect.ref}' referenced by mapper '{mapper.name}'"
                )
                continue
            target: Target = (effect.kind, target_id)
            fold.decisions.append(_Decision(mapper.id, isinstance(effect, Grant), target))
            if hook in (Hook.UPDATE, Hook.UPDATE_LEGACY):
                fold.reevaluated.setdefault(mapper.id, set()).add(target)


def _run(
    preprocessing: Preprocessing,
    provider_config: Mapping[str, str],
    ctx: MapperContext,
    user: UserState | None,
    directory: Directory,
) -> _Fold:
    fold = _Fold(problems=list(preprocessing.problems))
    provider_mode = provider_sync_mode(provider_config)
    for mapper, mapper_type, preprocessed in preprocessing.steps:
        _fold_effects(fold, mapper, preprocessed, directory, None)
        mode = effective_sync_mode(provider_mode, mapper_sync_mode(mapper.config))
        hook = hook_for(first_login=user is None, mode=mode)
        if hook is Hook.IMPORT_NEW_USER:
            effects = mapper_type.import_new_user(mapper.config, ctx)
        elif hook is Hook.UPDATE and user is not None:
            effects = mapper_type.update(mapper.config, ctx, user)
        elif hook is Hook.UPDATE_LEGACY and user is not None:
            effects = mapper_type.update_legacy(mapper.config, ctx, user)
        else:
            # IMPORT on a later login: the fields this mapper owns keep their local values.
            fold.pinned |= mapper_type.profile_fields(mapper.config)
            continue
        _fold_effects(fold, mapper, effects, directory, hook)
    return fold


def _settle_grants(
    fold: _Fold, alias: str, user: UserState | None
) -> tuple[set[Target], set[Target], set[MapperGrant], set[MapperGrant]]:
    """(targets to grant, targets to revoke, records to add, records to remove); see the provenance rules above."""
    held: set[Target] = set()
    before: set[MapperGrant] = set()
    if user is not None:
        held = {("role", r) for r in user.role_ids} | {("group", g) for g in user.group_ids}
        before = set(user.mapper_grants)
    recorded_before = {(g.kind, g.target_id) for g in before}
    records = set(before)
    granted_now: set[Target] = set()
    for decision in fold.decisions:
        record = MapperGrant(decision.target[0], decision.target[1], alias, decision.mapper_id)
        if not decision.grant:
            records.discard(record)
            continue
        granted_now.add(decision.target)
        # A target held without any record is the admin's: the mapper does not adopt it.
        if decision.target not in held or decision.target in recorded_before:
            records.add(record)
    for mapper_id, current in fold.reevaluated.items():
        # Records a mapper left behind for targets it no longer names (its config changed).
        records -= {
            g
            for g in before
            if g.identity_provider == alias and g.mapper_id == mapper_id and (g.kind, g.target_id) not in current
        }
    recorded_after = {(g.kind, g.target_id) for g in records}
    to_grant = granted_now - held
    to_revoke = {t for t in recorded_before & held if t not in recorded_after and t not in granted_now}
    return to_grant, to_revoke, records - before, before - records


def _ids(targets: set[Target], kind: GrantKind) -> frozenset[str]:
    return frozenset(target_id for k, target_id in targets if k == kind)


def _changed_only(fold: _Fold, user: UserState) -> None:
    """Drop changes that would write what the user already has."""
    if fold.username is not None and fold.username == user.username:
        fold.username = None
    for profile_field in [f for f, v in fold.profile.items() if v == user.profile(f)]:
        del fold.profile[profile_field]
    for name in [n for n, v in fold.attributes.items() if tuple(user.attributes.get(n, ())) == v]:
        del fold.attributes[name]


def _plan(fold: _Fold, alias: str, user: UserState | None) -> MappingPlan:
    to_grant, to_revoke, added, removed = _settle_grants(fold, alias, user)
    return MappingPlan(
        model_username=fold.identity.get("LOCAL"),
        upstream_id=fold.identity.get("BROKER_ID"),
        upstream_username=fold.identity.get("BROKER_USERNAME"),
        username=fold.username,
        profile=dict(fold.profile),
        attributes=dict(fold.attributes),
        grant_role_ids=_ids(to_grant, "role"),
        revoke_role_ids=_ids(to_revoke, "role"),
        join_group_ids=_ids(to_grant, "group"),
        leave_group_ids=_ids(to_revoke, "group"),
        grants_added=frozenset(added),
        grants_removed=frozenset(removed),
        session_notes=dict(fold.notes),
        pinned_profile_fields=frozenset(fold.pinned),
        problems=tuple(fold.problems),
    )


def preprocess(*, mappers: Sequence[IdentityProviderMapper], ctx: MapperContext) -> Preprocessing:
    """Every mapper's ``preprocess`` hook: the link lookup keys (BROKER_ID / BROKER_USERNAME)
    and the LOCAL username the flow needs before it knows whether this is a first login."""
    problems: list[str] = []
    steps = []
    identity: dict[str, str] = {}
    for mapper in mappers:
        mapper_type = _usable(mapper, ctx, problems)
        if mapper_type is None:
            continue
        effects = tuple(mapper_type.preprocess(mapper.config, ctx))
        identity.update((e.target, e.value) for e in effects if isinstance(e, SetIdentity))
        steps.append((mapper, mapper_type, effects))
    return Preprocessing(tuple(steps), tuple(problems), identity)


def plan_login(
    *,
    preprocessing: Preprocessing,
    provider_config: Mapping[str, str],
    ctx: MapperContext,
    user: UserState | None,
    directory: Directory,
) -> MappingPlan:
    """The plan for one brokered login; ``user`` is None on a first login (user being created).

    ``preprocessing`` is ``preprocess`` of the provider's mappers in store order (later ones
    win on the same attribute) with the same ``ctx``; ``provider_config`` is the provider's
    config map (for ``syncMode``).
    The provider-level FORCE overwrite of email/first/last name is the flow's
    (``first_login.sync_user``); it must keep ``plan.pinned_profile_fields`` as they were and
    then apply ``plan.profile`` on top.
    """
    fold = _run(preprocessing, provider_config, ctx, user, directory)
    if user is not None:
        _changed_only(fold, user)
    return _plan(fold, ctx.alias, user)

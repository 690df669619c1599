"""Mappers that grant one role or one group when a condition holds.

Hook semantics (Keycloak's ``AbstractClaimToRoleMapper`` / ``AbstractClaimToGroupMapper``):
first login grants when the condition holds; FORCE grants when it holds and withdraws when
it does not; LEGACY only withdraws for roles and behaves like FORCE for groups. Whether a
withdrawal really revokes is decided later, with provenance (see ``apply``).
"""

from __future__ import annotations

from typing import ClassVar

from realmgate.broker.mappers.base import ROLE_TYPE, Config, ConfigProperty, MapperType
from realmgate.broker.mappers.effects import Effect, Grant, Withdraw
from realmgate.broker.mappers.inputs import MapperContext, UserState
from realmgate.model.identity_provider import GrantKind

ROLE = "role"
GROUP = "group"


def role_property(help_text: str) -> ConfigProperty:
    """The ``role`` field every role-granting mapper's form has; only Keycloak's help text differs
    (word for word, spacing included) from one mapper type to another."""
    return ConfigProperty(ROLE, "Role", help_text, ROLE_TYPE)


class GrantingMapper(MapperType):
    kind: ClassVar[GrantKind]
    target_property: ClassVar[str]

    def applies(self, config: Config, ctx: MapperContext) -> bool:
        raise NotImplementedError

    def _target(self, config: Config) -> str | None:
        return config.get(self.target_property) or None

    def import_new_user(self, config: Config, ctx: MapperContext) -> list[Effect]:
        target = self._target(config)
        return [Grant(self.kind, target)] if target and self.applies(config, ctx) else []

    def update(self, config: Config, ctx: MapperContext, user: UserState) -> list[Effect]:
        target = self._target(config)
        if not target:
            return []
        return [Grant(self.kind, target) if self.applies(config, ctx) else Withdraw(self.kind, target)]

    def config_error(self, config: Config) -> str | None:
        if not self._target(config):
            return f"{self.target_property.capitalize()} is required"
        return None


class RoleGrantingMapper(GrantingMapper):
    kind = "role"
    target_property = ROLE

    def update_legacy(self, config: Config, ctx: MapperContext, user: UserState) -> list[Effect]:
        """Pre-sync-mode behaviour: revoke when the condition fails, never grant."""
        target = self._target(config)
        return [Withdraw(self.kind, target)] if target and not self.applies(config, ctx) else []


class GroupGrantingMapper(GrantingMapper):
    kind = "group"
    target_property = GROUP

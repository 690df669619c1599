"""The shape every mapper type shares: its admin description and its four hooks.

A mapper type is a stateless object; the per-mapper data is the config map of the
``IdentityProviderMapper`` model (all values are strings, as in Keycloak). Hooks return
effects (see ``effects``) and never raise on upstream data: a claim that is missing or of
the wrong shape makes the mapper match nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from realmgate.broker.mappers.effects import Effect, ProfileField
from realmgate.broker.mappers.inputs import MapperContext, UserState

Config = Mapping[str, str]

# ProviderConfigProperty type names, as the admin console expects them.
STRING_TYPE = "String"
BOOLEAN_TYPE = "boolean"
LIST_TYPE = "List"
ROLE_TYPE = "Role"
GROUP_TYPE = "Group"
MAP_TYPE = "Map"

OIDC_PROVIDERS = frozenset({"oidc", "keycloak-oidc"})
# The social provider types realmgate implements (Keycloak's username template accepts them).
SOCIAL_PROVIDERS = frozenset({"github"})
KEYCLOAK_OIDC_ONLY = frozenset({"keycloak-oidc"})

CLAIM_HELP = (
    "Name of claim to search for in token. You can reference nested claims using a '.', "
    "i.e. 'address.locality'. To use dot (.) literally, escape it with backslash (\\.)"
)


@dataclass(frozen=True, slots=True)
class ConfigProperty:
    """Keycloak's ``ConfigPropertyRepresentation``: one field of the mapper's config form."""

    name: str
    label: str
    help_text: str
    type: str = STRING_TYPE
    default_value: str | bool | None = None
    options: tuple[str, ...] = ()
    secret: bool = False
    required: bool = False
    read_only: bool = False

    def to_rep(self) -> dict[str, object]:
        rep: dict[str, object] = {
            "name": self.name,
            "label": self.label,
            "helpText": self.help_text,
            "type": self.type,
            "secret": self.secret,
            "required": self.required,
            "readOnly": self.read_only,
        }
        if self.default_value is not None:
            rep["defaultValue"] = self.default_value
        if self.options:
            rep["options"] = list(self.options)
        return rep


class MapperType:
    """Base of every mapper type; the hooks default to "do nothing".

    ``update_legacy`` defaults to ``update``, as Keycloak's ``IdentityProviderMapper`` does
    for mappers that do not override it.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[str]
    help_text: ClassVar[str]
    properties: ClassVar[tuple[ConfigProperty, ...]]
    # Provider ids this type works with; None means every provider.
    providers: ClassVar[frozenset[str] | None] = None

    def supports(self, provider_id: str) -> bool:
        return self.providers is None or provider_id in self.providers

    def to_rep(self) -> dict[str, object]:
        """Keycloak's ``IdentityProviderMapperTypeRepresentation``."""
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "helpText": self.help_text,
            "properties": [p.to_rep() for p in self.properties],
        }

    def preprocess(self, config: Config, ctx: MapperContext) -> list[Effect]:
        """Every login, before the user is looked up."""
        return []

    def import_new_user(self, config: Config, ctx: MapperContext) -> list[Effect]:
        """First login: the user is being created."""
        return []

    def update(self, config: Config, ctx: MapperContext, user: UserState) -> list[Effect]:
        """Later login, effective mode FORCE."""
        return []

    def update_legacy(self, config: Config, ctx: MapperContext, user: UserState) -> list[Effect]:
        """Later login, effective mode LEGACY."""
        return self.update(config, ctx, user)

    def config_error(self, config: Config) -> str | None:
        """Why this config cannot work (shown as a 400 when the mapper is saved), or None."""
        return None

    def role_refs(self, config: Config) -> tuple[str, ...]:
        """Role references the config names (validated on save, renamed with the role)."""
        return tuple(config[p.name] for p in self.properties if p.type == ROLE_TYPE and config.get(p.name))

    def group_refs(self, config: Config) -> tuple[str, ...]:
        """Group paths the config names."""
        return tuple(config[p.name] for p in self.properties if p.type == GROUP_TYPE and config.get(p.name))

    def profile_fields(self, config: Config) -> frozenset[ProfileField]:
        """Profile fields this mapper owns (the provider-level FORCE sync leaves them alone)."""
        return frozenset()

"""``oidc-username-idp-mapper`` "Username Template Importer".

The template substitutes ``${ALIAS}``, ``${UUID}`` and ``${CLAIM.<path>}``; ``| lowercase``
or ``| uppercase`` after a variable changes its case (``${CLAIM.sub | lowercase}``); an
unknown variable is replaced by its own name, as in Keycloak. ``target`` says where the
result goes: LOCAL (the local username, on creation and, with FORCE, on later logins),
BROKER_ID or BROKER_USERNAME (the keys of the federated link lookup).

A template with a claim that is missing (or multi-valued, or an object) sets nothing:
Keycloak would produce a username with a hole in it.
"""

from __future__ import annotations

import re

from realmgate.broker.mappers.base import (
    LIST_TYPE,
    OIDC_PROVIDERS,
    SOCIAL_PROVIDERS,
    Config,
    ConfigProperty,
    MapperType,
)
from realmgate.broker.mappers.claims import java_string
from realmgate.broker.mappers.effects import Effect, IdentityTarget, SetIdentity, SetUsername
from realmgate.broker.mappers.inputs import MapperContext, UserState

TEMPLATE = "template"
TARGET = "target"
DEFAULT_TEMPLATE = "${ALIAS}.${CLAIM.preferred_username}"
TARGETS: tuple[IdentityTarget, ...] = ("LOCAL", "BROKER_ID", "BROKER_USERNAME")

_SUBSTITUTION = re.compile(r"\$\{([^}|]+?)(?:\s*\|\s*([^}\s]+)\s*)?\}")
_TRANSFORMS = {"lowercase": str.lower, "uppercase": str.upper}


def render_template(template: str, ctx: MapperContext) -> str | None:
    """The template with its variables substituted, or None when a claim cannot be used."""
    unresolved = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal unresolved
        variable, transform_name = match.group(1), match.group(2)
        transform = _TRANSFORMS.get(transform_name or "", lambda text: text)
        if variable == "ALIAS":
            return transform(ctx.alias)
        if variable == "UUID":
            return transform(ctx.new_id())
        if variable.startswith("CLAIM."):
            value = ctx.claim(variable.removeprefix("CLAIM."))
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            text = java_string(value)
            if not text:
                unresolved = True
                return ""
            return transform(text)
        return variable

    result = _SUBSTITUTION.sub(substitute, template)
    return None if unresolved else result


def _target(config: Config) -> IdentityTarget:
    target = config.get(TARGET) or "LOCAL"
    for known in TARGETS:
        if target == known:
            return known
    return "LOCAL"


class UsernameTemplateMapper(MapperType):
    id = "oidc-username-idp-mapper"
    name = "Username Template Importer"
    category = "Preprocessor"
    help_text = "Format the username to import."
    properties = (
        ConfigProperty(
            TEMPLATE,
            "Template",
            "Template to use to format the username to import.  Substitutions are enclosed in ${}.  "
            "For example: '${ALIAS}.${CLAIM.sub}'.  ALIAS is the provider alias.  "
            "CLAIM.<NAME> references an ID or Access token claim. \n"
            "The substitution can be converted to upper or lower case by appending |uppercase "
            "or |lowercase to the substituted value, e.g. '${CLAIM.sub | lowercase}",
            default_value=DEFAULT_TEMPLATE,
        ),
        ConfigProperty(
            TARGET,
            "Target",
            "Destination field for the mapper. LOCAL (default) means that the changes are applied to the "
            "username stored in local database upon user import. BROKER_ID and BROKER_USERNAME means that "
            "the changes are stored into the ID or username used for federation user lookup, respectively.",
            LIST_TYPE,
            default_value="LOCAL",
            options=TARGETS,
        ),
    )
    providers = OIDC_PROVIDERS | SOCIAL_PROVIDERS

    def _render(self, config: Config, ctx: MapperContext) -> str | None:
        rendered = render_template(config.get(TEMPLATE) or DEFAULT_TEMPLATE, ctx)
        if not rendered or not rendered.strip():
            return None
        return rendered.lower() if _target(config) == "LOCAL" else rendered

    def preprocess(self, config: Config, ctx: MapperContext) -> list[Effect]:
        rendered = self._render(config, ctx)
        return [SetIdentity(_target(config), rendered)] if rendered else []

    def update(self, config: Config, ctx: MapperContext, user: UserState) -> list[Effect]:
        """FORCE renames the local user, unless the realm uses the email as username."""
        if _target(config) != "LOCAL" or ctx.registration_email_as_username:
            return []
        rendered = self._render(config, ctx)
        return [SetUsername(rendered)] if rendered else []

    def update_legacy(self, config: Config, ctx: MapperContext, user: UserState) -> list[Effect]:
        return []

    def config_error(self, config: Config) -> str | None:
        target = config.get(TARGET)
        if target and target not in TARGETS:
            return f"Invalid target: {target}"
        return None


MAPPER = UsernameTemplateMapper()

"""The ``claims`` + ``are.claim.values.regex`` config shared by the "advanced" mappers."""

from __future__ import annotations

from realmgate.broker.mappers.base import BOOLEAN_TYPE, MAP_TYPE, Config, ConfigProperty
from realmgate.broker.mappers.claims import (
    ClaimPathError,
    ClaimsMapError,
    compile_regex,
    parse_claims_map,
    split_claim_path,
    value_equals,
    value_matches_regex,
)
from realmgate.broker.mappers.inputs import MapperContext

CLAIMS = "claims"
ARE_CLAIM_VALUES_REGEX = "are.claim.values.regex"

REGEX_PROPERTY = ConfigProperty(
    ARE_CLAIM_VALUES_REGEX,
    "Regex Claim Values",
    "If enabled claim values are interpreted as regular expressions.",
    BOOLEAN_TYPE,
)


ADVANCED_CLAIMS_HELP = (
    "Name and value of the claims to search for in token. You can reference nested claims using a '.', "
    "i.e. 'address.locality'. To use dot (.) literally, escape it with backslash (\\.)"
)


def claims_property(help_text: str = ADVANCED_CLAIMS_HELP) -> ConfigProperty:
    return ConfigProperty(CLAIMS, "Claims", help_text, MAP_TYPE)


def regex_enabled(config: Config) -> bool:
    return config.get(ARE_CLAIM_VALUES_REGEX, "").strip().lower() == "true"


def claims_config_error(config: Config) -> str | None:
    """Refuse a claims map that is not JSON, names a bad path, or holds a bad regex."""
    try:
        pairs = parse_claims_map(config.get(CLAIMS))
        for key, _ in pairs:
            split_claim_path(key)
    except (ClaimsMapError, ClaimPathError) as exc:
        return str(exc)
    if regex_enabled(config):
        for _, value in pairs:
            if compile_regex(value) is None:
                return f"Invalid regular expression: {value}"
    return None


def claim_matches(config: Config, expected: str, value: object) -> bool:
    """One configured value against one claim value, as regex or as typed equality."""
    if regex_enabled(config):
        return value_matches_regex(compile_regex(expected), value)
    return value_equals(expected, value)


def all_claims_match(config: Config, ctx: MapperContext) -> bool:
    """Every configured (claim, value) matches; an unparsable config matches nothing."""
    try:
        pairs = parse_claims_map(config.get(CLAIMS))
    except ClaimsMapError:
        return False
    return all(claim_matches(config, expected, ctx.claim(key)) for key, expected in pairs)

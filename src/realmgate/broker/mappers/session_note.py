"""``oidc-user-session-note-idp-mapper`` "User Session Note Mapper".

Copies every configured claim whose value is a string and matches (exactly, or as a regex)
into a user-session note of the same name. It runs on every login: notes belong to the new
session, not to the user, so sync modes do not apply (Keycloak skips them with IMPORT on
later logins, leaving the session without the notes).
"""

from __future__ import annotations

from realmgate.broker.mappers.base import OIDC_PROVIDERS, Config, MapperType
from realmgate.broker.mappers.claims import ClaimsMapError, parse_claims_map
from realmgate.broker.mappers.effects import Effect, SessionNote
from realmgate.broker.mappers.inputs import MapperContext
from realmgate.broker.mappers.matching import (
    CLAIMS,
    REGEX_PROPERTY,
    claim_matches,
    claims_config_error,
    claims_property,
)


class ClaimToSessionNoteMapper(MapperType):
    id = "oidc-user-session-note-idp-mapper"
    name = "User Session Note Mapper"
    category = "User Session"
    help_text = (
        "Add every matching claim to the user session note. This can be used together for instance with the "
        "'User Session Note' protocol mapper configured for your client scope or client, so that claims for "
        "3rd party IDPs would be available in the access token sent to your client application."
    )
    properties = (
        claims_property(
            "Names and values of the claims to search for in the token. "
            "You can reference nested claims using a '.', i.e. 'address.locality'. "
            "To use dot (.) literally, escape it with backslash (\\.)"
        ),
        REGEX_PROPERTY,
    )
    providers = OIDC_PROVIDERS

    def preprocess(self, config: Config, ctx: MapperContext) -> list[Effect]:
        try:
            pairs = parse_claims_map(config.get(CLAIMS))
        except ClaimsMapError:
            return []
        notes: list[Effect] = []
        for claim, expected in pairs:
            value = ctx.claim(claim)
            if isinstance(value, str) and claim_matches(config, expected, value):
                notes.append(SessionNote(claim, value))
        return notes

    def config_error(self, config: Config) -> str | None:
        return claims_config_error(config)


MAPPER = ClaimToSessionNoteMapper()

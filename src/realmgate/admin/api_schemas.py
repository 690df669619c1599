"""Request and response schemas of the admin API, derived from the representation specs so the
OpenAPI document describes exactly what the services read and write.

Names may not be empty; create bodies (``NEW_*``) must contain them. Nested protocol mappers are
always new mappers, so they always need ``name`` and ``protocolMapper``.
"""

from __future__ import annotations

from realmgate.admin.schema import ANY_OBJECT, BOOL, INT, STR, Schema, arr, from_spec, non_empty, obj
from realmgate.keycloak.representations.client import CLIENT_SCOPE_SPEC, CLIENT_SPEC
from realmgate.keycloak.representations.identity_provider import IDENTITY_PROVIDER_SPEC, IDP_MAPPER_SPEC
from realmgate.keycloak.representations.protocol_mapper import PROTOCOL_MAPPER_SPEC
from realmgate.keycloak.representations.realm import REALM_SPEC
from realmgate.keycloak.representations.role import GROUP_SPEC, ROLE_SPEC
from realmgate.keycloak.representations.user import FEDERATED_IDENTITY_SPEC, USER_SPEC

_SCOPE_NAME = r"^[^\s]+$"
_REALM_NAME = r"^[^/\s]([^/]*[^/\s])?$"


def _pair(spec_schema: Schema, pattern: str = r"\S", **names: Schema) -> tuple[Schema, Schema]:
    """(update body, create body) of one representation."""
    update = non_empty(spec_schema, pattern, required=False, **names)
    return update, non_empty(update, pattern, required=True, **names)


PROTOCOL_MAPPER, NEW_PROTOCOL_MAPPER = _pair(
    from_spec(PROTOCOL_MAPPER_SPEC, "ProtocolMapperRepresentation"), name=STR, protocolMapper=STR
)
PROTOCOL_MAPPERS = arr(PROTOCOL_MAPPER)
_NESTED_MAPPERS = {"protocolMappers": arr(NEW_PROTOCOL_MAPPER)}
CLIENT, NEW_CLIENT = _pair(from_spec(CLIENT_SPEC, "ClientRepresentation", _NESTED_MAPPERS), clientId=STR)
CLIENT_SCOPE, NEW_CLIENT_SCOPE = _pair(
    from_spec(CLIENT_SCOPE_SPEC, "ClientScopeRepresentation", _NESTED_MAPPERS), _SCOPE_NAME, name=STR
)
REALM, NEW_REALM = _pair(from_spec(REALM_SPEC, "RealmRepresentation"), _REALM_NAME, realm=STR)
ROLE, NEW_ROLE = _pair(from_spec(ROLE_SPEC, "RoleRepresentation"), name=STR)
ROLES = arr(ROLE)
GROUP, NEW_GROUP = _pair(from_spec(GROUP_SPEC, "GroupRepresentation"), name=STR)
USER, NEW_USER = _pair(from_spec(USER_SPEC, "UserRepresentation"), username=STR)
_, NEW_IDENTITY_PROVIDER = _pair(
    from_spec(IDENTITY_PROVIDER_SPEC, "IdentityProviderRepresentation"), alias=STR, providerId=STR
)
_IDP_MAPPER_FIELDS = from_spec(IDP_MAPPER_SPEC, "IdentityProviderMapperRepresentation")
IDP_MAPPER, NEW_IDP_MAPPER = _pair(_IDP_MAPPER_FIELDS, name=STR, identityProviderMapper=STR)
_IMPORTED_IDP_MAPPER = non_empty(
    _IDP_MAPPER_FIELDS, required=True, name=STR, identityProviderMapper=STR, identityProviderAlias=STR
)
FEDERATED_IDENTITY = from_spec(FEDERATED_IDENTITY_SPEC, "FederatedIdentityRepresentation")
CREDENTIAL = obj(
    "CredentialRepresentation",
    {
        "id": STR,
        "type": STR,
        "value": STR,
        "temporary": BOOL,
        "userLabel": STR,
        "createdDate": INT,
        "priority": INT,
        "credentialData": STR,
    },
)
SECRET = obj("CredentialRepresentation", {"type": STR, "value": STR})
SCOPE_REFS = arr(obj("ClientScopeRepresentation", {"id": STR, "name": STR}))
MAPPINGS = obj("MappingsRepresentation", {"realmMappings": ROLES, "clientMappings": ANY_OBJECT})
COUNT = obj("Count", {"count": INT})
USER_SESSION = obj(
    "UserSessionRepresentation",
    {
        "id": STR,
        "username": STR,
        "userId": STR,
        "ipAddress": STR,
        "start": INT,
        "lastAccess": INT,
        "rememberMe": BOOL,
        "clients": {"type": "object", "additionalProperties": STR},
        "transientUser": BOOL,
    },
)
_POLICY: Schema = {"type": "string", "enum": ["FAIL", "SKIP", "OVERWRITE"]}
PARTIAL_IMPORT = obj(
    "PartialImportRepresentation",
    {
        "ifResourceExists": _POLICY,
        "policy": _POLICY,
        "users": arr(NEW_USER),
        "clients": arr(NEW_CLIENT),
        "groups": arr(NEW_GROUP),
        "identityProviders": arr(NEW_IDENTITY_PROVIDER),
        "identityProviderMappers": arr(_IMPORTED_IDP_MAPPER),
        "roles": obj(
            "RolesRepresentation",
            {"realm": arr(NEW_ROLE), "client": {"type": "object", "additionalProperties": arr(NEW_ROLE)}},
        ),
    },
    # Keycloak's class ignores unknown properties: a whole realm export (id, realm, ...) is a
    # valid partial import body, and the admin console sends exactly that.
    closed=False,
)

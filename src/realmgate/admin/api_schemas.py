"""Request and response schemas of the admin API, derived from the representation specs so the
OpenAPI document describes exactly what the services read and write."""

from __future__ import annotations

from realmgate.admin.schema import ANY_OBJECT, BOOL, INT, STR, arr, from_spec, obj
from realmgate.keycloak.representations.client import CLIENT_SCOPE_SPEC, CLIENT_SPEC
from realmgate.keycloak.representations.protocol_mapper import PROTOCOL_MAPPER_SPEC
from realmgate.keycloak.representations.realm import REALM_SPEC
from realmgate.keycloak.representations.role import GROUP_SPEC, ROLE_SPEC
from realmgate.keycloak.representations.user import FEDERATED_IDENTITY_SPEC, USER_SPEC

PROTOCOL_MAPPER = from_spec(PROTOCOL_MAPPER_SPEC, "ProtocolMapperRepresentation")
PROTOCOL_MAPPERS = arr(PROTOCOL_MAPPER)
CLIENT = from_spec(CLIENT_SPEC, "ClientRepresentation", {"protocolMappers": PROTOCOL_MAPPERS})
CLIENT_SCOPE = from_spec(
    CLIENT_SCOPE_SPEC, "ClientScopeRepresentation", {"protocolMappers": PROTOCOL_MAPPERS}
)
REALM = from_spec(REALM_SPEC, "RealmRepresentation")
ROLE = from_spec(ROLE_SPEC, "RoleRepresentation")
ROLES = arr(ROLE)
GROUP = from_spec(GROUP_SPEC, "GroupRepresentation")
USER = from_spec(USER_SPEC, "UserRepresentation")
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
PARTIAL_IMPORT = obj(
    "PartialImportRepresentation",
    {
        "ifResourceExists": {"type": "string", "enum": ["FAIL", "SKIP", "OVERWRITE"]},
        "policy": {"type": "string", "enum": ["FAIL", "SKIP", "OVERWRITE"]},
        "users": arr(ANY_OBJECT),
        "clients": arr(ANY_OBJECT),
        "groups": arr(ANY_OBJECT),
        "identityProviders": arr(ANY_OBJECT),
        "roles": ANY_OBJECT,
    },
    closed=False,
)
LIST_OF_OBJECTS = arr(ANY_OBJECT)

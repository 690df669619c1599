"""Keycloak JSON representations (camelCase) <-> model dataclasses, one module per resource.

Every ``*_from_rep`` applies JSON onto a base object and returns the unknown field names, so
the import can warn and the admin API can answer 400 ``Unrecognized field "x"``.
"""

from realmgate.keycloak.representations._mapping import RepresentationError
from realmgate.keycloak.representations.client import (
    client_from_rep,
    client_scope_from_rep,
    client_scope_to_rep,
    client_to_rep,
)
from realmgate.keycloak.representations.identity_provider import (
    identity_provider_from_rep,
    identity_provider_to_rep,
    idp_mapper_from_rep,
    idp_mapper_to_rep,
)
from realmgate.keycloak.representations.protocol_mapper import (
    protocol_mapper_from_rep,
    protocol_mapper_to_rep,
)
from realmgate.keycloak.representations.realm import realm_from_rep, realm_to_rep
from realmgate.keycloak.representations.role import (
    RoleNamer,
    RoleResolver,
    composite_ids_from_rep,
    composites_to_rep,
    group_from_rep,
    group_to_rep,
    role_from_rep,
    role_ids_from_names,
    role_to_rep,
)
from realmgate.keycloak.representations.user import (
    CredentialInput,
    credential_from_rep,
    credential_to_rep,
    federated_identity_from_rep,
    federated_identity_to_rep,
    user_from_rep,
    user_to_rep,
)

__all__ = [
    "CredentialInput",
    "RepresentationError",
    "RoleNamer",
    "RoleResolver",
    "client_from_rep",
    "client_scope_from_rep",
    "client_scope_to_rep",
    "client_to_rep",
    "composite_ids_from_rep",
    "composites_to_rep",
    "credential_from_rep",
    "credential_to_rep",
    "federated_identity_from_rep",
    "federated_identity_to_rep",
    "group_from_rep",
    "group_to_rep",
    "identity_provider_from_rep",
    "identity_provider_to_rep",
    "idp_mapper_from_rep",
    "idp_mapper_to_rep",
    "protocol_mapper_from_rep",
    "protocol_mapper_to_rep",
    "realm_from_rep",
    "realm_to_rep",
    "role_from_rep",
    "role_ids_from_names",
    "role_to_rep",
    "user_from_rep",
    "user_to_rep",
]

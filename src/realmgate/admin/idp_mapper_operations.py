"""Route declarations of the identity provider mapper endpoints (services in ``idp_mappers``).

The admin route table (``web/admin/operations.py``) includes ``operations()``; reads need
``view-identity-providers``, writes ``manage-identity-providers`` (manage implies view), and
writes record admin events of resource type ``IDENTITY_PROVIDER_MAPPER``, as Keycloak.
"""

from __future__ import annotations

from realmgate.admin import idp_mappers
from realmgate.admin.api_schemas import IDP_MAPPER as MAPPER
from realmgate.admin.api_schemas import NEW_IDP_MAPPER as NEW_MAPPER
from realmgate.admin.call import Operation, op
from realmgate.admin.schema import ANY_OBJECT, arr

BASE = "/admin/realms/{realm}/identity-provider/instances/{alias}"
TAG = "Identity Provider Mappers"
RESOURCE = "IDENTITY_PROVIDER_MAPPER"
VIEW = frozenset({"view-identity-providers", "manage-identity-providers"})
MANAGE = frozenset({"manage-identity-providers"})


def operations() -> list[Operation]:
    one = f"{BASE}/mappers/{{id}}"
    return [
        op(
            "GET",
            f"{BASE}/mapper-types",
            idp_mappers.mapper_types,
            VIEW,
            "Mapper types of a provider",
            TAG,
            response=ANY_OBJECT,
        ),
        op("GET", f"{BASE}/mappers", idp_mappers.list_mappers, VIEW, "List mappers", TAG, response=arr(MAPPER)),
        op(
            "POST",
            f"{BASE}/mappers",
            idp_mappers.create_mapper,
            MANAGE,
            "Add a mapper",
            TAG,
            body=NEW_MAPPER,
            resource=RESOURCE,
        ),
        op("GET", one, idp_mappers.get_mapper, VIEW, "Get a mapper", TAG, response=MAPPER),
        op("PUT", one, idp_mappers.update_mapper, MANAGE, "Update a mapper", TAG, body=MAPPER, resource=RESOURCE),
        op("DELETE", one, idp_mappers.delete_mapper, MANAGE, "Delete a mapper", TAG, resource=RESOURCE),
    ]

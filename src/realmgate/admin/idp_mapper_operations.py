"""Route declarations of the identity provider mapper endpoints (services in ``idp_mappers``).

The admin route table (``web/admin/operations.py``) includes ``operations()``; reads need
``view-identity-providers``, writes ``manage-identity-providers`` (manage implies view), and
writes record admin events of resource type ``IDENTITY_PROVIDER_MAPPER``, as Keycloak.
"""

from __future__ import annotations

from realmgate.admin import idp_mappers as m
from realmgate.admin.api_schemas import IDP_MAPPER as MAPPER
from realmgate.admin.api_schemas import NEW_IDP_MAPPER as NEW_MAPPER
from realmgate.admin.call import Operation
from realmgate.admin.schema import ANY_OBJECT, arr

BASE = "/admin/realms/{realm}/identity-provider/instances/{alias}"
TAG = "Identity Provider Mappers"
RESOURCE = "IDENTITY_PROVIDER_MAPPER"
VIEW = frozenset({"view-identity-providers", "manage-identity-providers"})
MANAGE = frozenset({"manage-identity-providers"})


def operations() -> list[Operation]:
    one = f"{BASE}/mappers/{{id}}"
    return [
        Operation(
            "GET", f"{BASE}/mapper-types", m.mapper_types, "Mapper types of a provider", TAG, VIEW, response=ANY_OBJECT
        ),
        Operation("GET", f"{BASE}/mappers", m.list_mappers, "List mappers", TAG, VIEW, response=arr(MAPPER)),
        Operation(
            "POST",
            f"{BASE}/mappers",
            m.create_mapper,
            "Add a mapper",
            TAG,
            MANAGE,
            status=201,
            body=NEW_MAPPER,
            resource_type=RESOURCE,
        ),
        Operation("GET", one, m.get_mapper, "Get a mapper", TAG, VIEW, response=MAPPER),
        Operation(
            "PUT", one, m.update_mapper, "Update a mapper", TAG, MANAGE, status=204, body=MAPPER, resource_type=RESOURCE
        ),
        Operation("DELETE", one, m.delete_mapper, "Delete a mapper", TAG, MANAGE, status=204, resource_type=RESOURCE),
    ]

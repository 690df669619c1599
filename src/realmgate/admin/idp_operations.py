"""The identity-provider admin routes, declared like the rest of the admin API's route table
(``realmgate.web.admin.operations``), which adds ``OPERATIONS`` to its list.

``import-config`` and ``instances/{alias}/reload-keys`` are not here: they call upstreams, which
must not happen inside the operation's store transaction (on SQLite it holds the process's
write lock; importing from this very server would wait for itself), so
``realmgate.web.broker.admin_routes`` serves them."""

from __future__ import annotations

from typing import Literal

from realmgate.admin import auth as a
from realmgate.admin import identity_providers as idp
from realmgate.admin.api_schemas import NEW_IDENTITY_PROVIDER
from realmgate.admin.call import FIRST_MAX, Operation, Param, Service
from realmgate.admin.schema import ANY_OBJECT, Schema, arr

VIEW = frozenset({"view-identity-providers", "manage-identity-providers"})
MANAGE = frozenset({"manage-identity-providers"})
BASE = "/admin/realms/{realm}/identity-provider"
ONE = BASE + "/instances/{alias}"
TAG = "Identity Providers"
RESOURCE = "IDENTITY_PROVIDER"


def _op(
    method: Literal["GET", "POST", "PUT", "DELETE"],
    path: str,
    service: Service,
    access: frozenset[str],
    summary: str,
    *,
    status: Literal[200, 201, 204] | None = None,
    query: tuple[Param, ...] = (),
    body: Schema | None = None,
    response: Schema | None = None,
    resource: str | None = None,
    tag: str = TAG,
) -> Operation:
    defaults: dict[str, Literal[200, 201, 204]] = {"GET": 200, "POST": 201 if body else 204, "PUT": 204, "DELETE": 204}
    default = defaults[method]
    return Operation(
        method=method,
        path=path,
        service=service,
        summary=summary,
        tag=tag,
        access=access,
        status=status or default,
        query=query,
        body=body,
        response=response,
        resource_type=resource,
    )


OPERATIONS: list[Operation] = [
    _op(
        "GET",
        BASE + "/instances",
        idp.list_providers,
        VIEW,
        "List identity providers",
        query=(
            Param("search", "string", 'Alias: prefix, *contains* or "exact"'),
            Param("briefRepresentation", "boolean"),
            *FIRST_MAX,
        ),
        response=arr(ANY_OBJECT),
    ),
    _op(
        "POST",
        BASE + "/instances",
        idp.create_provider,
        MANAGE,
        "Create an identity provider",
        body=NEW_IDENTITY_PROVIDER,
        resource=RESOURCE,
    ),
    _op("GET", ONE, idp.get_provider, VIEW, "Get an identity provider", response=ANY_OBJECT),
    _op("PUT", ONE, idp.update_provider, MANAGE, "Update an identity provider", body=ANY_OBJECT, resource=RESOURCE),
    _op("DELETE", ONE, idp.delete_provider, MANAGE, "Delete an identity provider", resource=RESOURCE),
    _op(
        "GET",
        BASE + "/providers/{provider_id}",
        idp.provider_info,
        VIEW,
        "Identity provider type",
        response=ANY_OBJECT,
    ),
    _op(
        "POST",
        "/admin/realms/{realm}/clear-keys-cache",
        idp.clear_keys_cache,
        a.MANAGE_REALM,
        "Clear the upstream key cache",
        status=204,
        tag="Realms Admin",
    ),
]

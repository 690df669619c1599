"""The identity-provider admin routes, declared like the rest of the admin API's route table
(``realmgate.web.admin.operations``), which adds ``OPERATIONS`` to its list.

``import-config`` and ``instances/{alias}/reload-keys`` are not here: they call upstreams, which
must not happen inside the operation's store transaction (on SQLite it holds the process's
write lock; importing from this very server would wait for itself), so
``realmgate.web.broker.admin_routes`` serves them."""

from __future__ import annotations

from realmgate.admin import auth as admin_auth
from realmgate.admin import identity_providers as idp
from realmgate.admin.api_schemas import NEW_IDENTITY_PROVIDER
from realmgate.admin.call import FIRST_MAX, Operation, Param, op
from realmgate.admin.schema import ANY_OBJECT, arr

VIEW = frozenset({"view-identity-providers", "manage-identity-providers"})
MANAGE = frozenset({"manage-identity-providers"})
BASE = "/admin/realms/{realm}/identity-provider"
ONE = BASE + "/instances/{alias}"
TAG = "Identity Providers"
RESOURCE = "IDENTITY_PROVIDER"


OPERATIONS: list[Operation] = [
    op(
        "GET",
        BASE + "/instances",
        idp.list_providers,
        VIEW,
        "List identity providers",
        TAG,
        query=(
            Param("search", "string", 'Alias: prefix, *contains* or "exact"'),
            Param("briefRepresentation", "boolean"),
            *FIRST_MAX,
        ),
        response=arr(ANY_OBJECT),
    ),
    op(
        "POST",
        BASE + "/instances",
        idp.create_provider,
        MANAGE,
        "Create an identity provider",
        TAG,
        body=NEW_IDENTITY_PROVIDER,
        resource=RESOURCE,
    ),
    op("GET", ONE, idp.get_provider, VIEW, "Get an identity provider", TAG, response=ANY_OBJECT),
    op("PUT", ONE, idp.update_provider, MANAGE, "Update an identity provider", TAG, body=ANY_OBJECT, resource=RESOURCE),
    op("DELETE", ONE, idp.delete_provider, MANAGE, "Delete an identity provider", TAG, resource=RESOURCE),
    op(
        "GET",
        BASE + "/providers/{provider_id}",
        idp.provider_info,
        VIEW,
        "Identity provider type",
        TAG,
        response=ANY_OBJECT,
    ),
    op(
        "POST",
        "/admin/realms/{realm}/clear-keys-cache",
        idp.clear_keys_cache,
        admin_auth.MANAGE_REALM,
        "Clear the upstream key cache",
        "Realms Admin",
        status=204,
    ),
]

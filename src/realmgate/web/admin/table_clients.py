"""Admin routes of clients and client scopes."""

from __future__ import annotations

from realmgate.admin import api_schemas as s
from realmgate.admin import auth as a
from realmgate.admin import (
    client_documents,
    client_scopes,
    clients,
    sessions,
)
from realmgate.admin.call import FIRST_MAX, Operation, Param, op
from realmgate.admin.mapper_owners import CLIENT_MAPPERS, CLIENT_SCOPE_MAPPERS
from realmgate.admin.schema import ANY_OBJECT, arr
from realmgate.web.admin.table_common import R
from realmgate.web.admin.table_shared import mapper_owner_ops, role_ops


def client_ops() -> list[Operation]:
    t = "Clients"
    c = f"{R}/clients/{{id}}"
    view, manage = a.VIEW_CLIENTS, a.MANAGE_CLIENTS
    return [
        op(
            "GET",
            f"{R}/clients",
            clients.list_clients,
            a.QUERY_CLIENTS,
            "List clients",
            t,
            query=(
                Param("clientId"),
                Param("search", "boolean"),
                *FIRST_MAX,
            ),
            response=arr(s.CLIENT),
        ),
        op(
            "POST",
            f"{R}/clients",
            clients.create_client,
            a.CREATE_CLIENT,
            "Create a client",
            t,
            body=s.NEW_CLIENT,
            resource="CLIENT",
        ),
        op("GET", c, clients.get_client, view, "Get a client", t, response=s.CLIENT),
        op("PUT", c, clients.update_client, manage, "Update a client", t, body=s.CLIENT, resource="CLIENT"),
        op("DELETE", c, clients.delete_client, manage, "Delete a client", t, resource="CLIENT"),
        op("GET", f"{c}/client-secret", clients.get_secret, view, "The client secret", t, response=s.SECRET),
        op(
            "DELETE",
            f"{c}/client-secret/rotated",
            clients.invalidate_rotated_secret,
            manage,
            "Invalidate the rotated secret (none is kept)",
            t,
            resource="CLIENT",
        ),
        op(
            "GET",
            f"{c}/certificates/{{attr}}",
            client_documents.certificate_info,
            view,
            "Certificate info of a client attribute prefix",
            t,
            response=ANY_OBJECT,
        ),
        op(
            "POST",
            f"{c}/certificates/{{attr}}/upload-certificate",
            client_documents.upload_certificate,
            manage,
            "Upload a certificate or public key (multipart: keystoreFormat, file)",
            t,
            body=ANY_OBJECT,
            status=200,
            response=ANY_OBJECT,
            resource="CLIENT",
        ),
        op(
            "GET",
            f"{c}/installation/providers/{{provider}}",
            client_documents.installation,
            view,
            "Adapter configuration (keycloak-oidc-keycloak-json)",
            t,
            response=ANY_OBJECT,
        ),
        op(
            "POST",
            f"{c}/client-secret",
            clients.regenerate_secret,
            manage,
            "Generate a new client secret",
            t,
            status=200,
            response=s.SECRET,
            resource="CLIENT",
        ),
        op(
            "GET",
            f"{c}/service-account-user",
            clients.service_account_user,
            view,
            "The service-account user",
            t,
            response=s.USER,
        ),
        op(
            "GET",
            f"{c}/user-sessions",
            sessions.client_user_sessions,
            view,
            "Sessions of the client",
            t,
            query=FIRST_MAX,
            response=arr(s.USER_SESSION),
        ),
        op(
            "GET",
            f"{c}/offline-sessions",
            sessions.client_offline_sessions,
            view,
            "Offline sessions of the client",
            t,
            query=FIRST_MAX,
            response=arr(s.USER_SESSION),
        ),
        op("GET", f"{c}/session-count", sessions.client_session_count, view, "Count sessions", t, response=s.COUNT),
        op(
            "GET",
            f"{c}/offline-session-count",
            sessions.client_offline_session_count,
            view,
            "Count offline sessions",
            t,
            response=s.COUNT,
        ),
        op(
            "GET",
            f"{c}/default-client-scopes",
            clients.default_scopes,
            view,
            "Default client scopes",
            t,
            response=s.SCOPE_REFS,
        ),
        op(
            "PUT",
            f"{c}/default-client-scopes/{{scope_id}}",
            clients.add_default_scope,
            manage,
            "Add a default client scope",
            t,
            resource="CLIENT",
        ),
        op(
            "DELETE",
            f"{c}/default-client-scopes/{{scope_id}}",
            clients.remove_default_scope,
            manage,
            "Remove a default client scope",
            t,
            resource="CLIENT",
        ),
        op(
            "GET",
            f"{c}/optional-client-scopes",
            clients.optional_scopes,
            view,
            "Optional client scopes",
            t,
            response=s.SCOPE_REFS,
        ),
        op(
            "PUT",
            f"{c}/optional-client-scopes/{{scope_id}}",
            clients.add_optional_scope,
            manage,
            "Add an optional client scope",
            t,
            resource="CLIENT",
        ),
        op(
            "DELETE",
            f"{c}/optional-client-scopes/{{scope_id}}",
            clients.remove_optional_scope,
            manage,
            "Remove an optional client scope",
            t,
            resource="CLIENT",
        ),
        *mapper_owner_ops(c, t, CLIENT_MAPPERS, view, manage),
        *role_ops(f"{R}/clients/{{client}}/roles", "Roles", manage, "CLIENT_ROLE"),
    ]


def client_scope_ops() -> list[Operation]:
    t = "Client Scopes"
    cs = f"{R}/client-scopes/{{id}}"
    view, manage = a.VIEW_CLIENTS, a.MANAGE_CLIENTS
    return [
        op(
            "GET",
            f"{R}/client-scopes",
            client_scopes.list_scopes,
            view,
            "List client scopes",
            t,
            response=arr(s.CLIENT_SCOPE),
        ),
        op(
            "POST",
            f"{R}/client-scopes",
            client_scopes.create_scope,
            manage,
            "Create a client scope",
            t,
            body=s.NEW_CLIENT_SCOPE,
            resource="CLIENT_SCOPE",
        ),
        op("GET", cs, client_scopes.get_scope, view, "Get a client scope", t, response=s.CLIENT_SCOPE),
        op(
            "PUT",
            cs,
            client_scopes.update_scope,
            manage,
            "Update a client scope",
            t,
            body=s.CLIENT_SCOPE,
            resource="CLIENT_SCOPE",
        ),
        op(
            "DELETE",
            cs,
            client_scopes.delete_scope,
            manage,
            "Delete a client scope",
            t,
            resource="CLIENT_SCOPE",
        ),
        *mapper_owner_ops(cs, t, CLIENT_SCOPE_MAPPERS, view, manage),
    ]

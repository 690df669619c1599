"""Admin routes of users and groups."""

from __future__ import annotations

from realmgate.admin import api_schemas as s
from realmgate.admin import auth as a
from realmgate.admin import (
    groups,
    links,
    sessions,
    users,
)
from realmgate.admin.call import FIRST_MAX, Operation, Param, op
from realmgate.admin.role_mappings import GROUP_ROLE_MAPPINGS, USER_ROLE_MAPPINGS
from realmgate.admin.schema import INT, arr
from realmgate.web.admin.table_common import BRIEF, EXACT, SEARCH, USER_FILTERS, R
from realmgate.web.admin.table_shared import role_mapping_ops


def user_ops() -> list[Operation]:
    t = "Users"
    u = f"{R}/users/{{id}}"
    view, manage = a.VIEW_USERS, a.MANAGE_USERS
    return [
        op(
            "GET",
            f"{R}/users",
            users.list_users,
            a.QUERY_USERS,
            "Search users",
            t,
            query=(*USER_FILTERS, *FIRST_MAX, BRIEF),
            response=arr(s.USER),
        ),
        op("POST", f"{R}/users", users.create_user, manage, "Create a user", t, body=s.NEW_USER, resource="USER"),
        op(
            "GET",
            f"{R}/users/count",
            users.count_users,
            a.QUERY_USERS,
            "Count users",
            t,
            query=USER_FILTERS,
            response=INT,
        ),
        op("GET", u, users.get_user, view, "Get a user", t, response=s.USER),
        op("PUT", u, users.update_user, manage, "Update a user", t, body=s.USER, resource="USER"),
        op("DELETE", u, users.delete_user, manage, "Delete a user", t, resource="USER"),
        op(
            "PUT",
            f"{u}/reset-password",
            users.reset_password,
            manage,
            "Set a new password",
            t,
            body=s.CREDENTIAL,
            resource="USER",
        ),
        op(
            "GET",
            f"{u}/credentials",
            users.list_credentials,
            view,
            "The user's credentials",
            t,
            response=arr(s.CREDENTIAL),
        ),
        op(
            "DELETE",
            f"{u}/credentials/{{credential_id}}",
            users.delete_credential,
            manage,
            "Remove a credential",
            t,
            resource="USER",
        ),
        op(
            "PUT",
            f"{u}/execute-actions-email",
            users.execute_actions_email,
            manage,
            "Email required actions (not available)",
            t,
            body=arr({"type": "string"}),
            resource="USER",
        ),
        op(
            "GET",
            f"{u}/groups",
            groups.user_groups,
            view,
            "The user's groups",
            t,
            query=(SEARCH, *FIRST_MAX, BRIEF),
            response=arr(s.GROUP),
        ),
        op(
            "GET",
            f"{u}/groups/count",
            groups.user_groups_count,
            view,
            "Count the user's groups",
            t,
            query=(SEARCH,),
            response=s.COUNT,
        ),
        op(
            "PUT",
            f"{u}/groups/{{group_id}}",
            groups.join_group,
            manage,
            "Join a group",
            t,
            resource="GROUP_MEMBERSHIP",
        ),
        op(
            "DELETE",
            f"{u}/groups/{{group_id}}",
            groups.leave_group,
            manage,
            "Leave a group",
            t,
            resource="GROUP_MEMBERSHIP",
        ),
        op(
            "GET",
            f"{u}/sessions",
            sessions.user_sessions,
            view,
            "The user's sessions",
            t,
            response=arr(s.USER_SESSION),
        ),
        op(
            "POST",
            f"{u}/logout",
            sessions.logout_user,
            manage,
            "End all the user's sessions",
            t,
            resource="USER",
        ),
        op(
            "GET",
            f"{u}/federated-identity",
            links.list_links,
            view,
            "Links to identity providers",
            t,
            response=arr(s.FEDERATED_IDENTITY),
        ),
        op(
            "POST",
            f"{u}/federated-identity/{{provider}}",
            links.add_link,
            manage,
            "Link an identity provider account",
            t,
            status=204,
            body=s.FEDERATED_IDENTITY,
            resource="USER",
        ),
        op(
            "DELETE",
            f"{u}/federated-identity/{{provider}}",
            links.remove_link,
            manage,
            "Remove a link",
            t,
            resource="USER",
        ),
        *role_mapping_ops(u, "Role Mapper", USER_ROLE_MAPPINGS, "ROLE_MAPPING"),
    ]


def group_ops() -> list[Operation]:
    t = "Groups"
    g = f"{R}/groups/{{id}}"
    view, manage = a.QUERY_GROUPS, a.MANAGE_USERS
    return [
        op(
            "GET",
            f"{R}/groups",
            groups.list_groups,
            view,
            "Top-level groups with their subgroups",
            t,
            query=(SEARCH, EXACT, *FIRST_MAX, BRIEF),
            response=arr(s.GROUP),
        ),
        op(
            "POST",
            f"{R}/groups",
            groups.create_group,
            manage,
            "Create a top-level group (or move one to the top)",
            t,
            body=s.NEW_GROUP,
            resource="GROUP",
        ),
        op(
            "GET",
            f"{R}/groups/count",
            groups.count_groups,
            view,
            "Count groups",
            t,
            query=(SEARCH, Param("top", "boolean")),
            response=s.COUNT,
        ),
        op("GET", g, groups.get_group, view, "Get a group", t, response=s.GROUP),
        op("PUT", g, groups.update_group, manage, "Update a group", t, body=s.GROUP, resource="GROUP"),
        op("DELETE", g, groups.delete_group, manage, "Delete a group and its subgroups", t, resource="GROUP"),
        op(
            "GET",
            f"{g}/children",
            groups.list_children,
            view,
            "Subgroups",
            t,
            query=(*FIRST_MAX, BRIEF),
            response=arr(s.GROUP),
        ),
        op(
            "POST",
            f"{g}/children",
            groups.add_child,
            manage,
            "Create a subgroup (or move one here)",
            t,
            body=s.NEW_GROUP,
            resource="GROUP",
        ),
        op(
            "GET",
            f"{g}/members",
            groups.members,
            a.VIEW_USERS,
            "Members",
            t,
            query=(*FIRST_MAX, BRIEF),
            response=arr(s.USER),
        ),
        op(
            "GET",
            f"{R}/group-by-path/{{path:path}}",
            groups.group_by_path,
            view,
            "Find a group by path",
            t,
            response=s.GROUP,
        ),
        *role_mapping_ops(g, "Role Mapper", GROUP_ROLE_MAPPINGS, "ROLE_MAPPING"),
    ]

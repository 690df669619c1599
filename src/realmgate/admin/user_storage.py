"""``user-storage/{id}/sync``: realmgate has no user federation (LDAP, Kerberos, custom storage
providers), so no component id names a storage provider and every sync is Keycloak's 404
``Could not find component``."""

from __future__ import annotations

from realmgate.admin.call import AdminCall
from realmgate.admin.errors import AdminError


async def sync(call: AdminCall) -> object:
    raise AdminError.not_found("Could not find component")

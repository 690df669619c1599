"""Organizations with their domains, members and identity provider links; and components."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, or_, select

from realmgate.model.component import Component
from realmgate.model.organization import Organization
from realmgate.model.user import User
from realmgate.store.interface import Conflict, OrganizationQuery, UserQuery
from realmgate.store.sql import rows
from realmgate.store.sql import tables as t
from realmgate.store.sql.repos.base import LIKE_ESCAPE, Repo, contains_pattern, insert_or_skip, page
from realmgate.store.sql.repos.users import user_conditions

_O = t.organizations.c
_D = t.organization_domains.c
_M = t.organization_members.c
_P = t.organization_identity_providers.c
_C = t.components.c


def _org_conditions(realm_id: str, q: OrganizationQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [_O.realm_id == realm_id]
    if q.search:
        value = q.search.lower()
        if q.exact:
            name, domain = _O.name == q.search, _D.name == value
        else:
            pattern = contains_pattern(value)
            name, domain = _O.name_lc.like(pattern, escape=LIKE_ESCAPE), _D.name.like(pattern, escape=LIKE_ESCAPE)
        conditions.append(or_(name, exists().where(_D.organization_id == _O.id, domain)))
    for key, value in q.attributes:
        if key == "alias":
            conditions.append(_O.alias == value)
    return conditions


def _attributes_match(org: Organization, q: OrganizationQuery) -> bool:
    """Attribute terms of ``q`` (other than alias, matched in SQL): each must be a value."""
    return all(value in org.attributes.get(key, ()) for key, value in q.attributes if key != "alias")


class SqlOrganizationRepo(Repo):
    __slots__ = ()

    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> Organization | None:
        stmt = select(t.organizations).where(_O.id == id, _O.realm_id == realm_id)
        row = await self._first(stmt.with_for_update() if for_update else stmt)
        return None if row is None else rows.ORGANIZATION.from_row(row)

    async def _matching(self, realm_id: str, q: OrganizationQuery) -> list[Organization]:
        stmt = select(t.organizations).where(*_org_conditions(realm_id, q)).order_by(_O.name, _O.id)
        if not any(key != "alias" for key, _ in q.attributes):
            stmt = page(stmt, q.first, q.max)
            return [rows.ORGANIZATION.from_row(r) for r in await self._all(stmt)]
        # Attributes live in the JSON data: filter here, then page.
        found = [o for o in map(rows.ORGANIZATION.from_row, await self._all(stmt)) if _attributes_match(o, q)]
        return found[q.first : None if q.max is None else q.first + q.max]

    async def find(self, realm_id: str, query: OrganizationQuery) -> Sequence[Organization]:
        return await self._matching(realm_id, query)

    async def count(self, realm_id: str, query: OrganizationQuery) -> int:
        if any(key != "alias" for key, _ in query.attributes):
            unpaged = OrganizationQuery(query.search, query.exact, query.attributes)
            return len(await self._matching(realm_id, unpaged))
        stmt = select(func.count()).select_from(t.organizations).where(*_org_conditions(realm_id, query))
        return int(await self._conn.scalar(stmt) or 0)

    async def owner_of_domain(self, realm_id: str, domain: str) -> str | None:
        stmt = select(_D.organization_id).where(_D.realm_id == realm_id, _D.name == domain.lower())
        owner = await self._conn.scalar(stmt)
        return None if owner is None else str(owner)

    async def _write_domains(self, org: Organization) -> None:
        await self._conn.execute(delete(t.organization_domains).where(_D.organization_id == org.id))
        names = sorted({d.name.lower() for d in org.domains})
        for name in names:
            row = {"realm_id": org.realm_id, "organization_id": org.id, "name": name}
            await self._insert(t.organization_domains, row, f"Domain {name}")

    async def add(self, org: Organization) -> None:
        await self._insert(t.organizations, rows.ORGANIZATION.to_row(org), f"Organization {org.name}")
        await self._write_domains(org)

    async def update(self, org: Organization) -> None:
        await self._update(
            t.organizations,
            {"id": org.id, "realm_id": org.realm_id},
            rows.ORGANIZATION.to_row(org),
            f"Organization {org.name}",
            unique=[("realm_id", "name"), ("realm_id", "alias")],
        )
        await self._write_domains(org)

    async def delete(self, realm_id: str, id: str) -> None:
        for table in (t.organization_domains, t.organization_members, t.organization_identity_providers):
            await self._conn.execute(delete(table).where(table.c.organization_id == id, table.c.realm_id == realm_id))
        await self._delete(t.organizations, {"id": id, "realm_id": realm_id}, "Organization")

    async def add_member(self, realm_id: str, org_id: str, user_id: str, membership_type: str) -> bool:
        row = {"realm_id": realm_id, "organization_id": org_id, "user_id": user_id, "membership_type": membership_type}
        return await self._execute_write(insert_or_skip(self._dialect, t.organization_members), row, "Member") == 1

    async def remove_member(self, realm_id: str, org_id: str, user_id: str) -> bool:
        stmt = delete(t.organization_members).where(
            _M.realm_id == realm_id, _M.organization_id == org_id, _M.user_id == user_id
        )
        return int((await self._conn.execute(stmt)).rowcount) > 0

    async def is_member(self, realm_id: str, org_id: str, user_id: str) -> bool:
        stmt = select(exists().where(_M.realm_id == realm_id, _M.organization_id == org_id, _M.user_id == user_id))
        return bool(await self._conn.scalar(stmt))

    def _member_conditions(self, realm_id: str, org_id: str, search: str | None, exact: bool) -> list[Any]:
        query = UserQuery(search=search, exact=exact, include_service_accounts=True)
        member = exists().where(_M.organization_id == org_id, _M.user_id == t.users.c.id)
        return [*user_conditions(realm_id, query), member]

    async def members(
        self, realm_id: str, org_id: str, *, search: str | None, exact: bool, first: int, max: int | None
    ) -> Sequence[User]:
        conditions = self._member_conditions(realm_id, org_id, search, exact)
        stmt = select(t.users).where(*conditions).order_by(t.users.c.username_lc)
        return [rows.USER.from_row(r) for r in await self._all(page(stmt, first, max))]

    async def member_count(self, realm_id: str, org_id: str) -> int:
        stmt = (
            select(func.count())
            .select_from(t.organization_members)
            .where(_M.realm_id == realm_id, _M.organization_id == org_id)
        )
        return int(await self._conn.scalar(stmt) or 0)

    async def of_member(self, realm_id: str, user_id: str) -> Sequence[Organization]:
        joined = t.organizations.join(t.organization_members, _M.organization_id == _O.id)
        stmt = select(t.organizations).select_from(joined).where(_O.realm_id == realm_id, _M.user_id == user_id)
        return [rows.ORGANIZATION.from_row(r) for r in await self._all(stmt.order_by(_O.name))]

    async def link_provider(self, realm_id: str, org_id: str, idp_internal_id: str) -> None:
        row = {"realm_id": realm_id, "organization_id": org_id, "idp_internal_id": idp_internal_id}
        if (
            await self._execute_write(insert_or_skip(self._dialect, t.organization_identity_providers), row, "Link")
            == 0
        ):
            raise Conflict("Identity provider already associated with an organization")
        self._config_changed(realm_id)

    async def unlink_provider(self, realm_id: str, idp_internal_id: str) -> None:
        stmt = delete(t.organization_identity_providers).where(
            _P.realm_id == realm_id, _P.idp_internal_id == idp_internal_id
        )
        await self._conn.execute(stmt)
        self._config_changed(realm_id)

    async def provider_owner(self, realm_id: str, idp_internal_id: str) -> str | None:
        stmt = select(_P.organization_id).where(_P.realm_id == realm_id, _P.idp_internal_id == idp_internal_id)
        owner = await self._conn.scalar(stmt)
        return None if owner is None else str(owner)

    async def provider_ids(self, realm_id: str, org_id: str) -> Sequence[str]:
        stmt = select(_P.idp_internal_id).where(_P.realm_id == realm_id, _P.organization_id == org_id)
        return [str(v) for v in await self._conn.scalars(stmt.order_by(_P.idp_internal_id))]


class SqlComponentRepo(Repo):
    __slots__ = ()

    async def get(self, realm_id: str, id: str) -> Component | None:
        row = await self._first(select(t.components).where(_C.id == id, _C.realm_id == realm_id))
        return None if row is None else rows.COMPONENT.from_row(row)

    async def list(
        self, realm_id: str, *, parent: str | None = None, provider_type: str | None = None
    ) -> Sequence[Component]:
        stmt = select(t.components).where(_C.realm_id == realm_id)
        if parent is not None:
            stmt = stmt.where(_C.parent_id == parent)
        if provider_type is not None:
            stmt = stmt.where(_C.provider_type == provider_type)
        stmt = stmt.order_by(_C.provider_type, _C.name, _C.id)
        return [rows.COMPONENT.from_row(r) for r in await self._all(stmt)]

    async def add(self, component: Component) -> None:
        await self._insert(t.components, rows.COMPONENT.to_row(component), f"Component {component.id}")
        self._config_changed(component.realm_id)

    async def update(self, component: Component) -> None:
        key = {"id": component.id, "realm_id": component.realm_id}
        await self._update(t.components, key, rows.COMPONENT.to_row(component), "Component")
        self._config_changed(component.realm_id)

    async def delete(self, realm_id: str, id: str) -> None:
        await self._conn.execute(delete(t.components).where(_C.realm_id == realm_id, _C.parent_id == id))
        await self._delete(t.components, {"id": id, "realm_id": realm_id}, "Component")
        self._config_changed(realm_id)

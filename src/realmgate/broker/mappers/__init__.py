"""Identity provider mappers: what the upstream says about a user becomes local roles,
groups, attributes and session notes, kept in step on every login as the sync mode says.

Pure functions over data: the broker flow builds a ``MapperContext`` and a ``UserState``,
resolves the role and group references (``refs``), calls ``apply.preprocess`` then ``apply.plan_login`` and applies
the returned ``MappingPlan`` in its transaction. The admin API uses ``registry`` for the
``mapper-types`` endpoint, validation and rename propagation.
"""

from realmgate.broker.mappers.apply import Preprocessing, plan_login, preprocess
from realmgate.broker.mappers.effects import MappingPlan
from realmgate.broker.mappers.inputs import MapperContext, UserState
from realmgate.broker.mappers.refs import Directory, ResolvedDirectory
from realmgate.broker.mappers.resolve import resolve_references
from realmgate.broker.mappers.user_update import updated_user
from realmgate.model.identity_provider import MapperGrant
from realmgate.store.interface import MapperGrantRepo

__all__ = [
    "Directory",
    "MapperContext",
    "MapperGrant",
    "MapperGrantRepo",
    "MappingPlan",
    "Preprocessing",
    "ResolvedDirectory",
    "UserState",
    "plan_login",
    "preprocess",
    "resolve_references",
    "updated_user",
]

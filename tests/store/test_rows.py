"""Row <-> dataclass conversion (no database): nested values survive, the schema may evolve."""

from __future__ import annotations

import json

import pytest

from realmgate.model.client import Client, ProtocolMapper
from realmgate.model.realm import Realm
from realmgate.model.role import Role
from realmgate.model.session import ClientSession, UserSession
from realmgate.store.sql import rows


def test_nested_values_round_trip() -> None:
    session = UserSession(
        id="s",
        realm_id="r",
        user_id="u",
        login_username="alice",
        started=1,
        last_refresh=2,
        notes={"a": "b"},
        client_sessions={"c": ClientSession("c", 1, None, {"nonce": "n"})},
    )
    row = rows.USER_SESSION.to_row(session)
    assert row["client_ids"] == ",c,"
    assert rows.USER_SESSION.from_row(row) == session
    role = Role(id="x", realm_id="r", name="n", composite_ids=("a", "b"), attributes={"k": ("1", "2")})
    loaded = rows.ROLE.from_row(rows.ROLE.to_row(role))
    assert loaded == role and isinstance(loaded.attributes["k"], tuple)


def test_indexed_fields_live_in_columns_not_json() -> None:
    client = Client(id="i", realm_id="r", client_id="app", protocol_mappers=(ProtocolMapper("m", "n", "t"),))
    row = rows.CLIENT.to_row(client)
    assert (row["id"], row["realm_id"], row["client_id"]) == ("i", "r", "app")
    data = json.loads(str(row["data"]))
    assert "client_id" not in data
    assert data["protocol_mappers"][0]["protocol_mapper"] == "t"


def test_unknown_json_keys_are_ignored_and_missing_ones_take_defaults() -> None:
    row = rows.CLIENT.to_row(Client(id="i", realm_id="r", client_id="app", name="App"))
    data = json.loads(str(row["data"]))
    data["field_from_a_newer_version"] = 1
    del data["web_origins"]
    loaded = rows.CLIENT.from_row({**row, "data": json.dumps(data)})
    assert loaded.name == "App"
    assert loaded.web_origins == ()


def test_realm_extra_settings_have_their_own_column_decoded_on_first_use() -> None:
    assert rows.REALM.to_row(Realm(id="r", name="demo"))["extra_settings"] is None
    row = rows.REALM.to_row(Realm(id="r", name="demo", extra_settings={"failureFactor": 5}))
    assert "extra_settings" not in json.loads(str(row["data"]))
    assert json.loads(str(row["extra_settings"])) == {"failureFactor": 5}
    # The realm of every request is read without decoding them: a broken value is only found
    # when the settings are used.
    loaded = rows.REALM.from_row({**row, "extra_settings": "{not json"})
    assert loaded.name == "demo"
    with pytest.raises(json.JSONDecodeError):
        dict(loaded.extra_settings)
    assert rows.REALM.from_row(row) == Realm(id="r", name="demo", extra_settings={"failureFactor": 5})

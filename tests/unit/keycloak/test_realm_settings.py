"""Every realm setting of Keycloak's RealmRepresentation is read back: Keycloak's defaults on a
fresh realm, what was written afterwards, partial updates, light type checks, masked secrets."""

from __future__ import annotations

import copy
import json

import pytest
from tests.keycloak.kc_facts import (
    FRESH_REALM_ABSENT,
    FRESH_REALM_SETTINGS,
    REALM_NOT_KEPT,
    REALM_SETTINGS_SAMPLE,
)

from realmgate.keycloak.representations import RepresentationError, realm_from_rep, realm_to_rep
from realmgate.keycloak.representations.realm import dropped_fields
from realmgate.model.realm import Realm

FRESH = Realm(id="r1", name="demo")
SMTP = {"host": "smtp.example.com", "port": 587, "auth": True, "user": "id", "password": "s3cret-smtp"}


def _apply(rep: dict[str, object], base: Realm = FRESH) -> Realm:
    realm, unknown = realm_from_rep(rep, base)
    assert unknown == []
    return realm


def test_a_fresh_realm_shows_keycloaks_defaults() -> None:
    rep = realm_to_rep(FRESH)
    assert {k: rep.get(k) for k in FRESH_REALM_SETTINGS} == FRESH_REALM_SETTINGS
    assert not set(FRESH_REALM_ABSENT) & set(rep)
    assert FRESH.extra_settings == {}  # defaults are shown, not stored


def test_every_setting_reads_back_and_survives_json() -> None:
    realm = _apply(copy.deepcopy(REALM_SETTINGS_SAMPLE))
    rep = realm_to_rep(realm)
    assert {k: rep[k] for k in REALM_SETTINGS_SAMPLE} == REALM_SETTINGS_SAMPLE
    # import -> export -> import is a fixed point.
    again = _apply(json.loads(json.dumps(rep)), Realm(id="r2", name="demo"))
    assert realm_to_rep(again) | {"id": "r1"} == rep


def test_partial_update_keeps_what_was_not_sent() -> None:
    realm = _apply({"bruteForceProtected": True, "failureFactor": 5, "loginTheme": "acme"})
    realm = _apply({"failureFactor": 7, "loginTheme": None, "accessTokenLifespan": 60}, realm)
    rep = realm_to_rep(realm)
    assert (rep["bruteForceProtected"], rep["failureFactor"], rep["loginTheme"]) == (True, 7, "acme")
    assert rep["accessTokenLifespan"] == 60 and rep["otpPolicyDigits"] == 6


def test_values_are_coerced_as_keycloak_does() -> None:
    rep = realm_to_rep(_apply({"bruteForceProtected": "true", "failureFactor": "5", "smtpServer": SMTP}))
    assert rep["bruteForceProtected"] is True and rep["failureFactor"] == 5
    assert rep["smtpServer"] == {**SMTP, "port": "587", "auth": "true", "password": "**********"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bruteForceProtected", "yes"),
        ("failureFactor", "five"),
        ("failureFactor", True),
        ("otpPolicyType", 6),
        ("supportedLocales", "de"),
        ("smtpServer", ["host"]),
        ("browserSecurityHeaders", {"xFrameOptions": ["DENY"]}),
        ("clientPolicies", []),
        ("authenticationFlows", {"alias": "browser"}),
        ("requiredActions", ["CONFIGURE_TOTP"]),
    ],
)
def test_wrong_types_name_the_field(field: str, value: object) -> None:
    with pytest.raises(RepresentationError) as err:
        realm_from_rep({field: value}, FRESH)
    assert err.value.field.split(".")[0] == field


def test_smtp_password_is_masked_and_a_mask_sent_back_keeps_it() -> None:
    realm = _apply({"smtpServer": SMTP})
    assert realm_to_rep(realm)["smtpServer"]["password"] == "**********"  # type: ignore[index]
    assert realm_to_rep(realm, include_secrets=True)["smtpServer"]["password"] == "s3cret-smtp"  # type: ignore[index]
    shown = realm_to_rep(realm)
    changed = _apply({"smtpServer": {**shown["smtpServer"], "host": "other"}}, realm)  # type: ignore[dict-item]
    assert changed.extra_settings["smtpServer"] == {**SMTP, "port": "587", "auth": "true", "host": "other"}
    # With nothing stored, a mask is not a password.
    fresh = _apply({"smtpServer": {"host": "h", "password": "**********"}})
    assert fresh.extra_settings["smtpServer"] == {"host": "h"}
    assert "s3cret" not in repr(realm_to_rep(realm))


def test_dropped_fields_are_accepted_named_and_not_kept() -> None:
    rep = {name: "x" for name in REALM_NOT_KEPT}
    realm = _apply({**rep, "failureFactor": 3})
    assert dropped_fields({"realm": "demo", **rep}) == list(REALM_NOT_KEPT)
    assert set(realm.extra_settings) == {"failureFactor"}
    assert not set(REALM_NOT_KEPT) & set(realm_to_rep(realm))


def test_read_back_values_are_copies() -> None:
    realm = _apply({"requiredActions": [{"alias": "VERIFY_EMAIL", "enabled": True}]})
    rep = realm_to_rep(realm)
    rep["requiredActions"][0]["enabled"] = False  # type: ignore[index]
    assert realm_to_rep(realm)["requiredActions"] == [{"alias": "VERIFY_EMAIL", "enabled": True}]

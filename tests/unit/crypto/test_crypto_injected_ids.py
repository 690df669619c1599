"""Key ids and credential ids come from the injected ``Randomness``; key material and password
salts never do (a test source must not weaken a real key)."""

from __future__ import annotations

from tests.unit.ids import CountingRandomness

from realmgate.crypto.passwords import new_password_credential
from realmgate.crypto.realm_keys import generate_default_keys, generate_provider_key

NOW = 1_700_000_000


def test_symmetric_kids_are_the_sources_ids_and_their_material_is_not() -> None:
    first = generate_default_keys("r1", now=NOW, ids=CountingRandomness(1), realm_name="demo")
    again = generate_default_keys("r1", now=NOW, ids=CountingRandomness(1), realm_name="demo")
    symmetric = [k for k in first if k.key_type == "OCT"]
    assert [k.kid for k in symmetric] == [CountingRandomness(1).nth_id(1), CountingRandomness(1).nth_id(2)]
    assert [k.kid for k in again if k.key_type == "OCT"] == [k.kid for k in symmetric]
    assert all(a.private_material != b.private_material for a, b in zip(first, again, strict=True))


def test_a_generated_hmac_provider_key_takes_its_kid_from_the_source() -> None:
    ids = CountingRandomness(2)
    key = generate_provider_key("r1", "hmac-generated", "HS256", now=NOW, ids=ids)
    assert key.kid == ids.issued[0] == ids.nth_id(1)
    assert key.private_material not in ids.issued


def test_a_password_credential_id_comes_from_the_source_and_its_salt_does_not() -> None:
    a = new_password_credential("u1", "pw", now_ms=0, ids=CountingRandomness(4), policy="hashAlgorithm(pbkdf2-sha256)")
    b = new_password_credential("u1", "pw", now_ms=0, ids=CountingRandomness(4), policy="hashAlgorithm(pbkdf2-sha256)")
    assert a.id == b.id == CountingRandomness(4).nth_id(1)
    assert a.secret_data != b.secret_data  # fresh salt each time

"""Every signature algorithm realmgate offers, through a real server on SQLite and PostgreSQL:
tokens signed with it verify against the realm's JWKS with an independent verifier (the
``cryptography`` package directly, not realmgate's jws module), our own endpoints accept them,
and an algorithm realmgate cannot produce is refused where it is set (admin API, realm import)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from tests.e2e.harness import (
    ServerProcess,
    create_pg_database,
    drop_pg_database,
    free_port,
    run_cli,
)
from tests.e2e.oidc.browser import callback_params, parse_login_form, pkce_pair, submit_login
from tests.e2e.test_cli import assert_clean_failure

from realmgate.crypto.algorithms import SIGNATURE_ALGORITHMS

REDIRECT = "http://127.0.0.1:9999/callback"
PASSWORD = "s3cret-pw"
ACCESS_ALG = "access.token.signed.response.alg"
ID_ALG = "id.token.signed.response.alg"
TESTED = ("PS256", "EdDSA", "RS384", "PS512")

_HASHES: Mapping[str, type[hashes.HashAlgorithm]] = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
_CURVES: Mapping[str, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _int(part: object) -> int:
    return int.from_bytes(_b64(str(part)), "big")


def independently_verified(token: str, jwks: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of ``token`` once its signature holds for the JWKS key its ``kid`` names,
    checked with ``cryptography`` primitives only (RFC 7518 / RFC 8037 by hand)."""
    head, body, sig = token.split(".")
    header: dict[str, Any] = json.loads(_b64(head))
    jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    alg, message, signature = header["alg"], f"{head}.{body}".encode(), _b64(sig)
    assert jwk["alg"] == alg and jwk["use"] == "sig" and "d" not in jwk
    try:
        if alg[:2] in ("RS", "PS"):
            assert jwk["kty"] == "RSA"
            public = rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key()
            digest = _HASHES[alg[2:]]()
            pad: padding.AsymmetricPadding = padding.PKCS1v15()
            if alg.startswith("PS"):
                pad = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
            public.verify(signature, message, pad, digest)
        elif alg.startswith("ES"):
            assert jwk["kty"] == "EC"
            curve = _CURVES[jwk["crv"]]
            point = ec.EllipticCurvePublicNumbers(_int(jwk["x"]), _int(jwk["y"]), curve).public_key()
            half = len(signature) // 2
            der = encode_dss_signature(int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big"))
            point.verify(der, message, ec.ECDSA(_HASHES[alg[2:]]()))
        else:
            assert (alg, jwk["kty"], jwk["crv"]) == ("EdDSA", "OKP", "Ed25519")
            ed25519.Ed25519PublicKey.from_public_bytes(_b64(jwk["x"])).verify(signature, message)
    except InvalidSignature:
        pytest.fail(f"{alg} signature does not verify with the published key")
    claims: dict[str, Any] = json.loads(_b64(body))
    return header, claims


def expected_at_hash(access_token: str, alg: str) -> str:
    """OIDC Core §3.1.3.6 by hand: the ID token alg's hash (SHA-512 for EdDSA on Ed25519)."""
    digest = hashlib.new("sha512" if alg == "EdDSA" else "sha" + alg[2:], access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def _client(client_id: str, **attributes: str) -> dict[str, Any]:
    return {
        "clientId": client_id,
        "secret": f"{client_id}-secret",
        "redirectUris": [REDIRECT],
        "directAccessGrantsEnabled": True,
        "attributes": {"post.logout.redirect.uris": "+", **attributes},
    }


def _new_realm(admin: httpx.Client, **fields: Any) -> str:
    name = "alg" + secrets.token_hex(4)
    user = {"username": "ann", "enabled": True, "credentials": [{"type": "password", "value": PASSWORD}]}
    clients = [_client(f"c-{alg.lower()}", **{ACCESS_ALG: alg, ID_ALG: alg}) for alg in TESTED]
    rep = {"realm": name, "enabled": True, "users": [user], "clients": [*clients, _client("plain")], **fields}
    created = admin.post("/admin/realms", json=rep)
    assert created.status_code == 201, created.text
    return name


def _tokens(server: ServerProcess, realm: str, client_id: str) -> dict[str, Any]:
    response = httpx.post(
        server.url(f"/realms/{realm}/protocol/openid-connect/token"),
        data={"grant_type": "password", "username": "ann", "password": PASSWORD, "scope": "openid"},
        auth=(client_id, f"{client_id}-secret"),
        timeout=30.0,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _oidc(server: ServerProcess, realm: str, path: str) -> str:
    return server.url(f"/realms/{realm}/protocol/openid-connect/{path}")


def test_every_algorithm_is_produced_and_verifies(any_server: ServerProcess, admin: httpx.Client) -> None:
    realm = _new_realm(admin)
    discovery = httpx.get(any_server.url(f"/realms/{realm}/.well-known/openid-configuration")).json()
    assert discovery["id_token_signing_alg_values_supported"] == list(SIGNATURE_ALGORITHMS)
    assert discovery["userinfo_signing_alg_values_supported"] == [*SIGNATURE_ALGORITHMS, "none"]
    assert discovery["token_endpoint_auth_signing_alg_values_supported"] == []  # no JWT client auth
    for alg in TESTED:
        client_id = f"c-{alg.lower()}"
        tokens = _tokens(any_server, realm, client_id)
        jwks = httpx.get(_oidc(any_server, realm, "certs")).json()
        access_header, access = independently_verified(tokens["access_token"], jwks)
        id_header, id_claims = independently_verified(tokens["id_token"], jwks)
        assert access_header["alg"] == id_header["alg"] == alg
        assert id_claims["aud"] == client_id and access["azp"] == client_id
        assert id_claims["at_hash"] == expected_at_hash(tokens["access_token"], alg)

        # Our own endpoints accept what we signed: userinfo, introspection, logout's id_token_hint.
        bearer = {"authorization": f"Bearer {tokens['access_token']}"}
        assert httpx.get(_oidc(any_server, realm, "userinfo"), headers=bearer).json()["preferred_username"] == "ann"
        introspected = httpx.post(
            _oidc(any_server, realm, "token/introspect"),
            data={"token": tokens["access_token"]},
            auth=(client_id, f"{client_id}-secret"),
        ).json()
        assert introspected["active"] is True
        logout = httpx.get(
            _oidc(any_server, realm, "logout"),
            params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": REDIRECT},
        )
        assert logout.status_code == 302 and logout.headers["location"] == REDIRECT
        assert httpx.get(_oidc(any_server, realm, "userinfo"), headers=bearer).status_code == 401

    jwks = httpx.get(_oidc(any_server, realm, "certs")).json()
    okp = [k for k in jwks["keys"] if k["kty"] == "OKP"]
    assert len(okp) == 1 and set(okp[0]) == {"kid", "kty", "crv", "x", "alg", "use"}
    assert (okp[0]["crv"], okp[0]["alg"], okp[0]["use"]) == ("Ed25519", "EdDSA", "sig")

    # The admin keys list shows the fallback keys as Keycloak does.
    listed = admin.get(f"/admin/realms/{realm}/keys").json()
    assert {*TESTED, "RS256"} <= set(listed["active"])
    eddsa = next(k for k in listed["keys"] if k["algorithm"] == "EdDSA")
    assert (eddsa["providerId"], eddsa["type"], eddsa["use"], eddsa["providerPriority"]) == (
        "eddsa-generated",
        "OKP",
        "SIG",
        -100,
    )
    assert eddsa["kid"] == okp[0]["kid"] and "certificate" not in eddsa
    ps = next(k for k in listed["keys"] if k["algorithm"] == "PS256")
    assert (ps["providerId"], ps["type"]) == ("rsa-generated", "RSA")


def test_code_flow_with_eddsa_tokens(any_server: ServerProcess, admin: httpx.Client) -> None:
    realm = _new_realm(admin)
    verifier, challenge = pkce_pair()
    query = {
        "client_id": "c-eddsa",
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": REDIRECT,
        "state": "s",
        "nonce": "n",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    with httpx.Client(timeout=30.0) as browser:
        page = browser.get(f"{_oidc(any_server, realm, 'auth')}?{urlencode(query)}")
        params = callback_params(submit_login(browser, parse_login_form(page.text), "ann", PASSWORD))
    tokens = httpx.post(
        _oidc(any_server, realm, "token"),
        data={
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=("c-eddsa", "c-eddsa-secret"),
        timeout=30.0,
    ).json()
    jwks = httpx.get(_oidc(any_server, realm, "certs")).json()
    header, claims = independently_verified(tokens["id_token"], jwks)
    assert header["alg"] == "EdDSA" and claims["nonce"] == "n"
    assert claims["at_hash"] == expected_at_hash(tokens["access_token"], "EdDSA")
    assert independently_verified(tokens["access_token"], jwks)[0]["alg"] == "EdDSA"


def test_realm_default_algorithm_signs_its_tokens(any_server: ServerProcess, admin: httpx.Client) -> None:
    realm = _new_realm(admin, defaultSignatureAlgorithm="PS256")
    tokens = _tokens(any_server, realm, "plain")
    jwks = httpx.get(_oidc(any_server, realm, "certs")).json()
    assert independently_verified(tokens["access_token"], jwks)[0]["alg"] == "PS256"
    assert independently_verified(tokens["id_token"], jwks)[0]["alg"] == "PS256"

    # A client's own attribute still wins over the realm default.
    own = _tokens(any_server, realm, "c-rs384")["access_token"]
    assert independently_verified(own, httpx.get(_oidc(any_server, realm, "certs")).json())[0]["alg"] == "RS384"

    # And the realm default can be changed to another produced algorithm, not to an unknown one.
    assert admin.put(f"/admin/realms/{realm}", json={"defaultSignatureAlgorithm": "ES384"}).status_code == 204
    tokens = _tokens(any_server, realm, "plain")
    jwks = httpx.get(_oidc(any_server, realm, "certs")).json()
    assert independently_verified(tokens["id_token"], jwks)[0]["alg"] == "ES384"
    refused = admin.put(f"/admin/realms/{realm}", json={"defaultSignatureAlgorithm": "XX999"})
    assert refused.status_code == 400 and "defaultSignatureAlgorithm" in refused.json()["errorMessage"]
    assert admin.get(f"/admin/realms/{realm}").json()["defaultSignatureAlgorithm"] == "ES384"


def test_admin_api_refuses_an_algorithm_it_cannot_produce(any_server: ServerProcess, admin: httpx.Client) -> None:
    realm = _new_realm(admin)
    for attribute in (ACCESS_ALG, ID_ALG, "user.info.response.signature.alg", "authorization.signed.response.alg"):
        created = admin.post(f"/admin/realms/{realm}/clients", json=_client("bad", **{attribute: "XX999"}))
        assert created.status_code == 400, created.text
        assert attribute in created.json()["errorMessage"] and "XX999" in created.json()["errorMessage"]
    assert admin.get(f"/admin/realms/{realm}/clients", params={"clientId": "bad"}).json() == []

    plain = admin.get(f"/admin/realms/{realm}/clients", params={"clientId": "plain"}).json()[0]
    plain_url = f"/admin/realms/{realm}/clients/{plain['id']}"
    updated = admin.put(plain_url, json={**plain, "attributes": {ACCESS_ALG: "XX999"}})
    assert updated.status_code == 400 and ACCESS_ALG in updated.json()["errorMessage"]
    assert admin.get(plain_url).json()["attributes"].get(ACCESS_ALG) is None
    ok = admin.put(plain_url, json={**plain, "attributes": {ACCESS_ALG: "ES512", ID_ALG: ""}})
    assert ok.status_code == 204, ok.text
    jwks_alg = independently_verified(
        _tokens(any_server, realm, "plain")["access_token"], httpx.get(_oidc(any_server, realm, "certs")).json()
    )[0]["alg"]
    assert jwks_alg == "ES512"

    partial = admin.post(
        f"/admin/realms/{realm}/partialImport",
        json={"ifResourceExists": "FAIL", "clients": [_client("ok-one"), _client("bad", **{ACCESS_ALG: "XX999"})]},
    )
    assert partial.status_code == 400 and ACCESS_ALG in partial.json()["errorMessage"]
    assert admin.get(f"/admin/realms/{realm}/clients", params={"clientId": "ok-one"}).json() == []

    realm_rep = {"realm": "alg" + secrets.token_hex(4), "clients": [_client("bad", **{ACCESS_ALG: "XX999"})]}
    refused = admin.post("/admin/realms", json=realm_rep)
    assert refused.status_code == 400 and ACCESS_ALG in refused.json()["errorMessage"]
    assert admin.get(f"/admin/realms/{realm_rep['realm']}").status_code == 404
    no_default = admin.post("/admin/realms", json={"realm": realm_rep["realm"], "defaultSignatureAlgorithm": "HS256"})
    assert no_default.status_code == 400 and "defaultSignatureAlgorithm" in no_default.json()["errorMessage"]


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_realm_import_refuses_the_whole_file(tmp_path: Path, db: str) -> None:
    pg_name = None
    if db == "postgres":
        pg_name, db_url = create_pg_database()
    else:
        db_url = f"sqlite+aiosqlite:///{tmp_path / 'rg.db'}"
    try:
        realm_file = tmp_path / "bad-alg.json"
        rep = {"realm": "badalg", "clients": [_client("fine"), _client("bad", **{ACCESS_ALG: "XX999"})]}
        realm_file.write_text(json.dumps(rep), encoding="utf-8")
        where = f"$.clients[1].attributes['{ACCESS_ALG}']"
        result = run_cli(["import", "--file", str(realm_file), "--db-url", db_url])
        assert_clean_failure(result, str(realm_file), where, "XX999")
        port = str(free_port())
        started = run_cli(["start-dev", "--http-port", port, "--db-url", db_url, "--import-realm", str(realm_file)])
        assert_clean_failure(started, where, "XX999")
        exported = run_cli(["export", "--realm", "badalg", "--file", str(tmp_path / "out.json"), "--db-url", db_url])
        assert exported.returncode != 0 and not (tmp_path / "out.json").exists()  # nothing was kept
    finally:
        if pg_name is not None:
            drop_pg_database(pg_name)

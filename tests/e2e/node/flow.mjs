// A strict, independent relying party (openid-client v6) walking realmgate's whole OIDC surface:
// discovery -> authorization code + PKCE through the real login form -> ID token checked
// against the JWKS -> userinfo -> refresh -> introspection -> revocation -> RP-initiated logout,
// then a client_credentials request with a wrong secret, whose OAuth error it must be able to read.
// Usage: node flow.mjs BASE_URL REALM CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD
// Prints one JSON object of observations; exits non-zero on the first failed check.
import * as client from 'openid-client';

const [base, realm, clientId, secret, redirectUri, username, password] = process.argv.slice(2);
const issuer = new URL(`${base}/realms/${realm}`);

function check(condition, message) {
  if (!condition) {
    throw new Error(`check failed: ${message}`);
  }
}

// A tiny cookie jar: the login form is bound to its auth-session cookie.
const jar = new Map();
function remember(response) {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const index = pair.indexOf('=');
    jar.set(pair.slice(0, index), pair.slice(index + 1));
  }
}
function cookieHeader() {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}
function unescapeHtml(text) {
  return text.replaceAll('&amp;', '&').replaceAll('&#34;', '"').replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<').replaceAll('&gt;', '>');
}

const config = await client.discovery(issuer, clientId, undefined, client.ClientSecretBasic(secret), {
  execute: [client.allowInsecureRequests],
});
client.enableNonRepudiationChecks(config); // verify ID token signatures against jwks_uri
const metadata = config.serverMetadata();
check(metadata.issuer === issuer.href, 'issuer equals the discovery base');

const verifier = client.randomPKCECodeVerifier();
const challenge = await client.calculatePKCECodeChallenge(verifier);
const state = client.randomState();
const nonce = client.randomNonce();
const authUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri, scope: 'openid profile email', code_challenge: challenge,
  code_challenge_method: 'S256', state, nonce,
});

const page = await fetch(authUrl, { redirect: 'manual' });
check(page.status === 200, `login page answered ${page.status}`);
remember(page);
const html = await page.text();
const action = unescapeHtml(html.match(/<form id="kc-form-login"[^>]*action="([^"]+)"/)[1]);
const csrf = html.match(/name="csrf_token" value="([^"]*)"/)[1];
const posted = await fetch(action, {
  method: 'POST', redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader() },
  body: new URLSearchParams({ username, password, csrf_token: csrf }),
});
check(posted.status === 302, `login answered ${posted.status}`);
const callback = new URL(posted.headers.get('location'));

const tokens = await client.authorizationCodeGrant(config, callback, {
  pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
});
const claims = tokens.claims();
check(claims.aud === clientId || claims.aud.includes(clientId), 'ID token audience');
check(claims.preferred_username === username, 'ID token username');

const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
check(userinfo.preferred_username === username, 'userinfo username');

const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
check(refreshed.claims().sub === claims.sub, 'refreshed ID token subject');

const active = await client.tokenIntrospection(config, refreshed.access_token);
check(active.active === true && active.client_id === clientId, 'introspection of a live token');

await client.tokenRevocation(config, refreshed.access_token);
const revoked = await client.tokenIntrospection(config, refreshed.access_token);
check(revoked.active === false, 'introspection after revocation');

const logoutUrl = client.buildEndSessionUrl(config, {
  id_token_hint: refreshed.id_token, post_logout_redirect_uri: redirectUri, state: 'bye',
});
const logout = await fetch(logoutUrl, { redirect: 'manual', headers: { cookie: cookieHeader() } });
check(logout.status === 302, `logout answered ${logout.status}`);
check(logout.headers.get('location') === `${redirectUri}?state=bye`, 'post-logout redirect');

let refreshAfterLogout = 'accepted';
try {
  await client.refreshTokenGrant(config, refreshed.refresh_token);
} catch (error) {
  refreshAfterLogout = `${error.error}: ${error.error_description}`;
}
check(refreshAfterLogout === 'invalid_grant: Session not active', `refresh after logout: ${refreshAfterLogout}`);

// A wrong secret: the 401 carries a Basic challenge naming the error (openid-client reads a
// challenge before the body) and the RFC 6749 JSON body saying the same.
const wrong = new client.Configuration(metadata, clientId, undefined, client.ClientSecretBasic('wrong'));
client.allowInsecureRequests(wrong);
let wrongSecret = null;
try {
  await client.clientCredentialsGrant(wrong);
} catch (error) {
  check(error instanceof client.WWWAuthenticateChallengeError, `wrong secret raised ${error.name}: ${error.message}`);
  const [challengeSeen] = error.cause;
  const body = await error.response.json();
  wrongSecret = {
    status: error.status, scheme: challengeSeen.scheme, challenge: challengeSeen.parameters, body,
  };
}
check(wrongSecret !== null, 'a wrong client secret was accepted');

console.log(JSON.stringify({
  issuer: metadata.issuer, sub: claims.sub, sid: claims.sid, userinfo, refreshAfterLogout, wrongSecret,
}));

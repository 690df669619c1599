// A configurable third-party OpenID provider (npm `oidc-provider`, OpenID certified) used as the
// broker's upstream in realmgate's end-to-end tests.
//
//   node provider.mjs '<json options>'
//
// Options (all optional):
//   port                  listen port on 127.0.0.1 (0 = any free port; printed on stdout)
//   client                one client: client_id, client_secret, redirect_uris,
//                         post_logout_redirect_uris, token_endpoint_auth_method
//                         (client_secret_post | client_secret_basic | client_secret_jwt |
//                         private_key_jwt), jwks_uri (the broker's JWKS, for private_key_jwt),
//                         backchannel_logout_uri, ...
//   pkceRequired          require PKCE (S256 is the only method oidc-provider accepts)
//   conformIdTokenClaims  true: profile claims only at userinfo (oidc-provider's default);
//                         false (our default): profile claims in the ID token too
//   accounts              { login: { email, given_name, family_name, ... } } extra claims
//
// Test controls, outside the provider's routes:
//   POST /__control/rotate   new RS256 signing key first, the old ones still published
//   GET  /__control/keys     the kids in use, newest first
//
// Logins use oidc-provider's development interactions: any login name and password sign in,
// and consent is granted automatically to the configured client.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const options = JSON.parse(process.argv[2] || '{}');
const accounts = options.accounts || {};

function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

let signingKeys = [newSigningKey()];

function claimsFor(login) {
  const extra = accounts[login] || {};
  return {
    sub: login,
    preferred_username: login,
    email: `${login}@upstream.example`,
    email_verified: true,
    given_name: login.charAt(0).toUpperCase() + login.slice(1),
    family_name: 'Upstream',
    name: `${login} Upstream`,
    ...extra,
  };
}

function buildProvider(issuer) {
  const client = {
    client_id: 'broker',
    client_secret: 'broker-secret-which-is-long-enough-for-hs256',
    redirect_uris: ['http://127.0.0.1/realms/test/broker/upstream/endpoint'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    ...options.client,
  };
  if (client.token_endpoint_auth_method === 'private_key_jwt') delete client.client_secret;
  const provider = new Provider(issuer, {
    clients: [client],
    jwks: { keys: signingKeys },
    cookies: { keys: ['realmgate-e2e-cookie-key'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    },
    conformIdTokenClaims: options.conformIdTokenClaims ?? false,
    pkce: { required: () => Boolean(options.pkceRequired) },
    // The broker's JWKS (private_key_jwt) is on a loopback port in the tests: drop
    // oidc-provider's SSRF guard, which refuses loopback and private addresses.
    fetch(url, fetchOptions) {
      const { dispatcher, ...rest } = fetchOptions;
      return globalThis.fetch(url, rest);
    },
    features: {
      devInteractions: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
    },
    async findAccount(ctx, id) {
      return { accountId: id, async claims() { return claimsFor(id); } };
    },
    async issueRefreshToken(ctx, clientModel) {
      return clientModel.grantTypeAllowed('refresh_token');
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  // Why a request failed, in the log file the fixture keeps (never shown to the client).
  for (const event of ['grant.error', 'authorization.error', 'userinfo.error', 'end_session.error']) {
    provider.on(event, (ctx, err) => console.error(event, err.error, err.error_description, err.error_detail || '', err.cause?.message || '', err.cause?.cause?.message || ''));
  }
  return provider;
}

let provider;
let handler;

const server = http.createServer((req, res) => {
  if (req.url === '/__control/rotate' && req.method === 'POST') {
    signingKeys = [newSigningKey(), ...signingKeys];
    provider = buildProvider(provider.issuer);
    handler = provider.callback();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kids: signingKeys.map((k) => k.kid) }));
    return;
  }
  if (req.url === '/__control/keys') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kids: signingKeys.map((k) => k.kid) }));
    return;
  }
  handler(req, res);
});

server.listen(options.port ?? 0, '127.0.0.1', () => {
  const { port } = server.address();
  provider = buildProvider(options.issuer || `http://127.0.0.1:${port}`);
  handler = provider.callback();
  console.log(`READY ${port} ${provider.issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

// The benchmark's peer: panva's oidc-provider (npm, 9.x) configured like the realmgate realm
// the bench seeds, so the same requests cost the same work on both: two confidential clients
// (HTTP Basic, client_credentials) whose JWT access tokens are signed RS256 and ES256 with keys
// generated at start. oidc-provider signs a JWT access token only for a resource server, so each
// client gets a default resource indicator whose resource server names the format and algorithm.
//
//   node bench/peer_server.mjs PORT SECRET    (python -m bench starts it pinned to CPU 0)
//
// Prints "ready" on stdout once listening.

import { generateKeyPairSync } from 'node:crypto';

// The package lives under bench/peers (installed there by python -m bench, not committed).
import Provider, { errors } from './peers/node_modules/oidc-provider/lib/index.js';

const [port, secret] = process.argv.slice(2);
if (!port || !secret) {
  console.error('usage: node peer_server.mjs PORT SECRET');
  process.exit(2);
}

/** A fresh signing key as a private JWK, so both algorithms' kids and keys change every start. */
function signingJwk(type, options, alg, kid) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), alg, kid, use: 'sig' };
}

// Resource server per algorithm; the client id picks one (see defaultResource).
const RESOURCES = {
  'bench-rs256': { uri: 'urn:bench:rs256', alg: 'RS256' },
  'bench-es256': { uri: 'urn:bench:es256', alg: 'ES256' },
};
const byUri = Object.fromEntries(Object.values(RESOURCES).map((r) => [r.uri, r]));

const configuration = {
  clients: Object.keys(RESOURCES).map((clientId) => ({
    client_id: clientId,
    client_secret: secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: {
    keys: [
      signingJwk('rsa', { modulusLength: 2048 }, 'RS256', 'bench-rsa'),
      signingJwk('ec', { namedCurve: 'P-256' }, 'ES256', 'bench-ec'),
    ],
  },
  cookies: { keys: [secret] },
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: false },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx, client) => RESOURCES[client.clientId]?.uri,
      getResourceServerInfo: (_ctx, resource) => {
        if (!byUri[resource]) throw new errors.InvalidTarget();
        return {
          scope: '',
          audience: resource,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: byUri[resource].alg } },
        };
      },
    },
  },
};

const provider = new Provider(`http://127.0.0.1:${port}`, configuration);
provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));

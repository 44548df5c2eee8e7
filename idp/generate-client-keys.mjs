#!/usr/bin/env node
// Makes an RSA key pair for a client of the stand-in (or of NHS login, which
// takes a 2048-bit RSA public key at onboarding):
//   node idp/generate-client-keys.mjs PRIVATE_KEY_PEM PUBLIC_JWKS_JSON [--force]
// The private key (PKCS#8 PEM, mode 0600) is for the client to sign its
// private_key_jwt client assertions with RS512; the public JWKS is what the
// clients file names as "jwks_file".

import { generateKeyPairSync, createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const args = process.argv.slice(2);
const force = args.includes('--force');
const [privatePath, jwksPath] = args.filter((a) => a !== '--force');

if (!privatePath || !jwksPath) {
  process.stderr.write('usage: node idp/generate-client-keys.mjs PRIVATE_KEY_PEM PUBLIC_JWKS_JSON [--force]\n');
  process.exit(2);
}

if (!force && (existsSync(privatePath) || existsSync(jwksPath))) {
  process.stdout.write(`keys already exist (${privatePath}, ${jwksPath}); left as they are (use --force to replace)\n`);
  process.exit(0);
}

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = publicKey.export({ format: 'jwk' });
// RFC 7638 thumbprint as the key id
const thumbprint = createHash('sha256')
  .update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }))
  .digest('base64url');
const jwks = { keys: [{ ...jwk, kid: thumbprint, use: 'sig', alg: 'RS512' }] };

for (const path of [privatePath, jwksPath]) mkdirSync(dirname(path), { recursive: true });
writeFileSync(privatePath, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
writeFileSync(jwksPath, `${JSON.stringify(jwks, null, 2)}\n`);
process.stdout.write(`wrote ${privatePath} (private, kid ${thumbprint}) and ${jwksPath} (public JWKS)\n`);

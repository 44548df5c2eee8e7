// Loading and checking the files the stand-in reads: demo users, registered
// clients and the provider's own signing keys.

import { randomUUID, generateKeyPairSync, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { PROOFING_LEVELS } from './vot.mjs';

export const TEST_BEHAVIOURS = Object.freeze(new Set([
  'wrong-nonce',
  'expired-id-token',
  'insufficient-vot',
]));

export class ConfigError extends Error {}

function readJson(path, what) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${path}: ${err.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${what} ${path} is not valid JSON: ${err.message}`);
  }
}

// NHS number check digit: weights 10..2 on the first nine digits,
// check = 11 - (sum mod 11); 11 means 0 and 10 means the number is invalid.
export function isValidNhsNumber(value) {
  if (typeof value !== 'string' || !/^\d{10}$/.test(value)) {
    return false;
  }
  let total = 0;
  for (let i = 0; i < 9; i += 1) {
    total += Number(value[i]) * (10 - i);
  }
  let check = 11 - (total % 11);
  if (check === 11) check = 0;
  if (check === 10) return false;
  return check === Number(value[9]);
}

const USER_CLAIMS = [
  'nhs_number',
  'birthdate',
  'family_name',
  'given_name',
  'email',
  'email_verified',
  'phone_number',
  'phone_number_verified',
];

export function loadUsers(path) {
  const list = readJson(path, 'users file');
  if (!Array.isArray(list)) {
    throw new ConfigError(`users file ${path} must hold a JSON list of users`);
  }
  const bySub = new Map();
  const byLogin = new Map();
  list.forEach((entry, i) => {
    const where = `users file ${path}, entry ${i}`;
    if (!entry || typeof entry !== 'object') throw new ConfigError(`${where}: not an object`);
    for (const field of ['sub', 'login', 'password', 'identity_proofing_level']) {
      if (typeof entry[field] !== 'string' || entry[field] === '') {
        throw new ConfigError(`${where}: "${field}" must be a non-empty string`);
      }
    }
    if (!(entry.identity_proofing_level in PROOFING_LEVELS)) {
      throw new ConfigError(`${where}: identity_proofing_level must be one of ${Object.keys(PROOFING_LEVELS).join(', ')}`);
    }
    if (entry.nhs_number !== undefined && !isValidNhsNumber(entry.nhs_number)) {
      throw new ConfigError(`${where}: nhs_number ${entry.nhs_number} fails the modulus 11 check`);
    }
    if (entry.test_behaviour !== undefined && !TEST_BEHAVIOURS.has(entry.test_behaviour)) {
      throw new ConfigError(`${where}: test_behaviour must be one of ${[...TEST_BEHAVIOURS].join(', ')}`);
    }
    if (entry.birthdate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(entry.birthdate)) {
      throw new ConfigError(`${where}: birthdate must be YYYY-MM-DD`);
    }
    const login = entry.login.trim().toLowerCase();
    if (bySub.has(entry.sub)) throw new ConfigError(`${where}: duplicate sub ${entry.sub}`);
    if (byLogin.has(login)) throw new ConfigError(`${where}: duplicate login ${entry.login}`);
    const claims = {};
    for (const name of USER_CLAIMS) {
      if (entry[name] !== undefined) claims[name] = entry[name];
    }
    if (claims.email !== undefined && claims.email_verified === undefined) claims.email_verified = true;
    if (claims.phone_number !== undefined && claims.phone_number_verified === undefined) {
      claims.phone_number_verified = true;
    }
    claims.identity_proofing_level = entry.identity_proofing_level;
    const user = Object.freeze({
      sub: entry.sub,
      login,
      password: entry.password,
      level: entry.identity_proofing_level,
      testBehaviour: entry.test_behaviour,
      claims: Object.freeze(claims),
    });
    bySub.set(user.sub, user);
    byLogin.set(login, user);
  });
  return { bySub, byLogin };
}

function checkPublicJwks(jwks, where) {
  if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
    throw new ConfigError(`${where}: jwks must be {"keys": [...]} with at least one key`);
  }
  for (const key of jwks.keys) {
    if (key.kty !== 'RSA') throw new ConfigError(`${where}: only RSA keys are accepted (NHS login uses RSA with RS512)`);
    if ('d' in key) throw new ConfigError(`${where}: jwks must hold public keys only; found a private key`);
  }
}

const CLIENT_FIELDS = [
  'client_id',
  'client_name',
  'redirect_uris',
  'post_logout_redirect_uris',
  'jwks',
  'token_endpoint_auth_method',
  'token_endpoint_auth_signing_alg',
  'id_token_signed_response_alg',
];

export function loadClients(path) {
  const list = readJson(path, 'clients file');
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError(`clients file ${path} must hold a non-empty JSON list of clients`);
  }
  const base = dirname(resolve(path));
  return list.map((entry, i) => {
    const where = `clients file ${path}, entry ${i}`;
    if (!entry || typeof entry !== 'object') throw new ConfigError(`${where}: not an object`);
    const unknown = Object.keys(entry).filter((k) => !CLIENT_FIELDS.includes(k) && k !== 'jwks_file');
    if (unknown.length) throw new ConfigError(`${where}: unknown field(s) ${unknown.join(', ')}`);
    if (typeof entry.client_id !== 'string' || entry.client_id === '') {
      throw new ConfigError(`${where}: client_id must be a non-empty string`);
    }
    const client = {};
    for (const field of CLIENT_FIELDS) {
      if (entry[field] !== undefined) client[field] = entry[field];
    }
    if (entry.jwks_file !== undefined) {
      if (entry.jwks !== undefined) throw new ConfigError(`${where}: give either jwks or jwks_file, not both`);
      const jwksPath = resolve(base, entry.jwks_file);
      if (!existsSync(jwksPath)) {
        throw new ConfigError(`client ${entry.client_id}: jwks_file ${jwksPath} does not exist; `
          + 'make a key pair with: node idp/generate-client-keys.mjs PRIVATE_KEY_PEM PUBLIC_JWKS_JSON');
      }
      client.jwks = readJson(jwksPath, `client ${entry.client_id} jwks_file`);
    }
    checkPublicJwks(client.jwks, `${where} (${entry.client_id})`);
    return {
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'RS512',
      id_token_signed_response_alg: 'RS512',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...client,
    };
  });
}

function generateSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomUUID(),
    use: 'sig',
    alg: 'RS512',
  };
}

// The provider's signing keys: from keysFile when it exists, otherwise newly
// made (and written to keysFile when one is named, so restarts keep them).
export function loadOrCreateSigningKeys(keysFile) {
  if (keysFile && existsSync(keysFile)) {
    const jwks = readJson(keysFile, 'keys file');
    if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
      throw new ConfigError(`keys file ${keysFile} must be {"keys": [...]} with at least one private key`);
    }
    for (const key of jwks.keys) {
      try {
        createPrivateKey({ key, format: 'jwk' });
      } catch (err) {
        throw new ConfigError(`keys file ${keysFile} holds a key that is not a usable private key: ${err.message}`);
      }
    }
    return jwks;
  }
  const jwks = { keys: [generateSigningKey()] };
  if (keysFile) {
    writeFileSync(keysFile, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o600 });
  }
  return jwks;
}

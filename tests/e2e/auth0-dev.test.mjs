// `cargo run --example auth0_proxy` with no Auth0 settings at all: the built-in development
// issuer stands in for Auth0, and the official SDK client runs the whole flow offline
// (proxy consent page, then the development issuer's login page, where it picks a user).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

import { parseForms } from './lib/fake-auth0.mjs';
import { startServer } from './lib/server.mjs';

const CALLBACK = 'http://127.0.0.1:9/callback';

/** Plays the browser: follows redirects, approves the consent page, picks `username`. */
async function browse(url, username) {
  const cookies = new Map();
  let method = 'GET';
  let body;
  for (let step = 0; step < 20; step += 1) {
    const origin = new URL(url).origin;
    const headers = { accept: 'text/html' };
    if (cookies.has(origin)) headers.cookie = [...cookies.get(origin)].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, { method, headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair.split('=');
      if (!cookies.has(origin)) cookies.set(origin, new Map());
      cookies.get(origin).set(name.trim(), value);
    }
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location'), url).href;
      if (url.startsWith(CALLBACK)) return new URL(url);
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await response.text();
    assert.equal(response.status, 200, html);
    const [form] = parseForms(html);
    assert.ok(form, `no form on ${url}: ${html}`);
    const fields = new URLSearchParams(form.hidden);
    const choice = form.buttons.find((b) => b.value === username) ?? form.buttons.find((b) => b.value === 'approve');
    fields.set(choice.name, choice.value);
    url = new URL(form.action, url).href;
    method = 'POST';
    body = fields;
  }
  throw new Error('too many steps');
}

describe('auth0_proxy with no Auth0 settings: the development issuer', { timeout: 120_000 }, () => {
  let server;
  before(async () => {
    server = await startServer('auth0_proxy', {
      AUTH0_DOMAIN: '', AUTH0_CLIENT_ID: '', AUTH0_CLIENT_SECRET: '', AUTH0_AUDIENCE: '',
    });
  });
  after(async () => {
    await server?.stop();
  });

  it('announces the development issuer, without colour codes when not on a terminal', async () => {
    // The banner follows the bind that startServer waits for: give it a moment.
    for (let i = 0; i < 50 && !/listening on/.test(server.stderr() + server.stdout()); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const out = server.stderr() + server.stdout();
    assert.match(out, /DEVELOPMENT issuer/);
    assert.match(out, / INFO .*listening on/);
    assert.doesNotMatch(out, /\x1b\[/);
  });

  for (const [user, canDelete] of [['alice', true], ['bob', false]]) {
    it(`${user} signs in offline and ${canDelete ? 'deletes' : 'is denied'} a document`, async () => {
      const store = {};
      const provider = {
        get redirectUrl() { return CALLBACK; },
        get clientMetadata() {
          return { client_name: `dev-${user}`, redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] };
        },
        clientInformation: () => store.client,
        saveClientInformation: (c) => { store.client = c; },
        tokens: () => store.tokens,
        saveTokens: (t) => { store.tokens = t; },
        redirectToAuthorization: (u) => { store.url = u; },
        saveCodeVerifier: (v) => { store.verifier = v; },
        codeVerifier: () => store.verifier,
      };
      const client = new Client({ name: `dev-${user}`, version: '1.0.0' });
      const first = new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider });
      await assert.rejects(client.connect(first), UnauthorizedError);
      const callback = await browse(store.url.href, user);
      await first.finishAuth(callback.searchParams.get('code'));
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider }));
      const info = await client.callTool({ name: 'get-user-info', arguments: {} });
      assert.equal(info.structuredContent.userId, `dev|${user}`);
      assert.equal(info.structuredContent.email, `${user}@example.com`);
      const result = await client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-1' } });
      if (canDelete) {
        assert.match(result.content[0].text, /Document deleted: doc-1/);
      } else {
        assert.equal(result.isError, true);
        assert.equal(result.content[0].text, 'Forbidden: requires delete:documents');
      }
      await client.close();
    });
  }
});

describe('the development issuer across a restart of auth0_proxy', { timeout: 120_000 }, () => {
  const env = (state, port, extra = {}) => ({
    AUTH0_DOMAIN: '', AUTH0_CLIENT_ID: '', AUTH0_CLIENT_SECRET: '', AUTH0_AUDIENCE: '',
    MCP_DEV_ISSUER_STATE: state, PORT: String(port), ...extra,
  });
  let dir;
  let server;
  before(async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    dir = await mkdtemp(path.join(os.tmpdir(), 'mcp-dev-issuer-'));
  });
  after(async () => {
    await server?.stop();
    const { rm } = await import('node:fs/promises');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a client registered before a restart still signs in after it, and the issuer keeps its key and port', async () => {
    const { freePort } = await import('./lib/server.mjs');
    const { statSync } = await import('node:fs');
    const state = `${dir}/state.json`;
    const port = await freePort();
    server = await startServer('auth0_proxy', env(state, port));
    const base = `http://127.0.0.1:${port}`;
    const registered = await (await fetch(`${base}/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'restart', redirect_uris: [CALLBACK] }),
    })).json();
    const issuerAt = (s) => (s.stderr() + s.stdout()).match(/DEVELOPMENT issuer at (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
    const issuerBefore = issuerAt(server);
    assert.ok(issuerBefore, 'the banner names the development issuer');
    const keysBefore = await (await fetch(`${issuerBefore}/.well-known/jwks.json`)).json();
    assert.equal(statSync(state).mode & 0o777, 0o600, 'the state file is readable by its owner only');
    await server.stop();

    // RUST_LOG is honoured: at `warn`, the banner (INFO) is not written, the warning is.
    server = await startServer('auth0_proxy', env(state, port, { RUST_LOG: 'warn' }));
    await new Promise((resolve) => setTimeout(resolve, 500)); // time for a banner to be written
    assert.match(server.stderr() + server.stdout(), /WARN .*DEVELOPMENT issuer/);
    assert.doesNotMatch(server.stderr() + server.stdout(), /listening on/);
    const pkce = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
    const authorize = `${base}/authorize?${new URLSearchParams({
      response_type: 'code', client_id: registered.client_id, redirect_uri: CALLBACK, state: 's',
      code_challenge: pkce, code_challenge_method: 'S256',
    })}`;
    const page = await fetch(authorize, { headers: { accept: 'text/html' }, redirect: 'manual' });
    const html = await page.text();
    assert.equal(page.status, 200, html);
    assert.match(html, /name="txn"/, 'the consent page, not "unknown application"');
    // The same issuer URL and signing key: tokens issued before the restart still verify.
    assert.equal(issuerAt(server), issuerBefore);
    const keysAfter = await (await fetch(`${issuerBefore}/.well-known/jwks.json`)).json();
    assert.deepEqual(keysAfter, keysBefore);
    // A client id from elsewhere is still refused, for the person as a page and as an OAuth
    // error at /token.
    const token = await fetch(`${base}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', code_verifier: 'y', client_id: 'mcp.bogus.x' }),
    });
    assert.equal(token.status, 401);
    assert.equal((await token.json()).error, 'invalid_client');
  });
});

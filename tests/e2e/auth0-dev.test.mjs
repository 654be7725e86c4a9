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

  it('announces the development issuer', () => {
    assert.match(server.stderr() + server.stdout(), /DEVELOPMENT issuer/);
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

// The two Auth0 modes end to end: the `auth0_proxy` and `auth0_dcr` examples in front of a
// real OpenID provider (oidc-provider, configured like an Auth0 tenant), driven by the
// official TypeScript SDK client through its whole OAuth flow:
// 401 -> metadata -> registration -> authorize with PKCE -> login and consent -> token -> tools.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

import { startFakeAuth0 } from './lib/fake-auth0.mjs';
import { memoryProvider, signIn, text } from './lib/oauth-client.mjs';
import { freePort, startServer } from './lib/server.mjs';
import { startProxyWithTenant } from './lib/proxy.mjs';

async function assertChallenge(mcpUrl) {
  const response = await fetch(mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
  });
  assert.equal(response.status, 401);
  const header = response.headers.get('www-authenticate');
  assert.match(header, /^Bearer /);
  assert.match(header, /resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/);
}

describe('auth0_proxy: this server as an OAuth proxy in front of an Auth0-like tenant', { timeout: 120_000 }, () => {
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

  it('serves authorization server metadata naming itself as issuer', async () => {
    const metadata = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
    assert.equal(metadata.issuer, base);
    assert.equal(metadata.registration_endpoint, `${base}/register`);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    const prm = await (await fetch(`${base}/.well-known/oauth-protected-resource/mcp`)).json();
    assert.equal(prm.resource, `${base}/mcp`);
    assert.deepEqual(prm.authorization_servers, [base]);
    assert.deepEqual(prm.scopes_supported, ['read:data', 'delete:documents']);
  });

  it('without a token, gets the 401 challenge', async () => {
    await assertChallenge(server.url);
  });

  it('alice signs in through the proxy and deletes a document', async () => {
    const { client, result } = await signIn(server.url, fake, 'alice', { proxyOrigin: base });
    assert.equal(result.iss, base, 'the authorization response carries our issuer (RFC 9207)');
    const info = await client.callTool({ name: 'get-user-info', arguments: {} });
    assert.equal(info.structuredContent.userId, 'auth0|alice');
    assert.deepEqual(info.structuredContent.permissions, ['read:data', 'delete:documents']);
    const deleted = await client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-1' } });
    assert.equal(deleted.isError, undefined, text(deleted));
    assert.match(text(deleted), /Document deleted: doc-1/);
    await client.close();
  });

  it('bob signs in and is denied the deletion', async () => {
    const { client } = await signIn(server.url, fake, 'bob', { proxyOrigin: base });
    const listed = await client.callTool({ name: 'list-documents', arguments: {} });
    assert.match(text(listed), /doc-2/);
    const denied = await client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-2' } });
    assert.equal(denied.isError, true);
    assert.equal(text(denied), 'Forbidden: requires delete:documents');
    await client.close();
  });

  it('refreshes a token through the proxy', async () => {
    const { provider } = await signIn(server.url, fake, 'alice', { proxyOrigin: base });
    assert.ok(provider.store.tokens.refresh_token, 'a refresh token was issued');
    const response = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: provider.store.tokens.refresh_token,
        client_id: provider.store.client.client_id,
      }),
    });
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.ok(body.access_token);
    assert.notEqual(body.access_token, provider.store.tokens.access_token);
    // The refreshed token works at the MCP endpoint.
    const client = new Client({ name: 'refreshed', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { authorization: `Bearer ${body.access_token}` } },
    }));
    const info = await client.callTool({ name: 'get-user-info', arguments: {} });
    assert.equal(info.structuredContent.userId, 'auth0|alice');
    await client.close();
  });

  it('never sends a code to a redirect URI the client did not register', async () => {
    const registered = await (await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'A', redirect_uris: ['http://127.0.0.1:9/a'] }),
    })).json();
    const url = new URL(`${base}/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code', client_id: registered.client_id, redirect_uri: 'http://127.0.0.1:9/b',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 's',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(await response.text(), /not one this client registered/);
    // A tampered client id (another redirect URI spliced in) is not a client at all.
    const [prefix, payload, tag] = registered.client_id.split('.');
    const forged = Buffer.from(JSON.stringify({ r: ['http://127.0.0.1:9/b'], n: 'A', t: 1 })).toString('base64url');
    url.searchParams.set('client_id', `${prefix}.${forged}.${tag}`);
    const tampered = await fetch(url, { redirect: 'manual' });
    assert.equal(tampered.status, 400);
    assert.equal(tampered.headers.get('location'), null);
    assert.ok(payload);
  });

  it('refuses a state from another browser, and a replayed state, at the callback', async () => {
    const provider = memoryProvider('replay');
    const client = new Client({ name: 'replay', version: '1.0.0' });
    await assert.rejects(client.connect(new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider })), UnauthorizedError);
    // Stop when Auth0 sends the browser back to the proxy's callback.
    const jar = new Map();
    const atCallback = await fake.loginAs(provider.store.authorizationUrl.href, 'alice', {
      proxyOrigin: base, stopAt: `${base}/oauth/callback`, jar,
    });
    const cookie = [...(jar.get(base) ?? new Map())].map(([k, v]) => `${k}=${v}`).join('; ');
    // Another browser (without the cookie set when the sign-in started) cannot finish it.
    const stolen = await fetch(atCallback.url, { redirect: 'manual' });
    assert.equal(stolen.status, 403);
    assert.equal(stolen.headers.get('location'), null);
    const first = await fetch(atCallback.url, { redirect: 'manual', headers: { cookie } });
    assert.equal(first.status, 303);
    assert.match(first.headers.get('location'), /^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
    const replay = await fetch(atCallback.url, { redirect: 'manual', headers: { cookie } });
    assert.equal(replay.status, 400);
    assert.equal(replay.headers.get('location'), null);
  });

  it('shows a consent page that cannot be framed, and refuses a forged consent', async () => {
    const registered = await (await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: '<script>Evil</script>', redirect_uris: ['http://127.0.0.1:9/a'] }),
    })).json();
    const url = new URL(`${base}/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code', client_id: registered.client_id, redirect_uri: 'http://127.0.0.1:9/a',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    }).toString();
    const page = await fetch(url, { redirect: 'manual' });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    const html = await page.text();
    assert.match(html, /&lt;script&gt;Evil&lt;\/script&gt;/);
    // The parsed URL, its host highlighted.
    assert.match(html, /http:\/\/<strong>127\.0\.0\.1<\/strong>:9\/a/);
    const txn = html.match(/name="txn" value="([^"]+)"/)[1];
    // Without the cookie set with the page (a cross-site POST), the consent is refused.
    const forged = await fetch(`${base}/authorize/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ txn, csrf: 'forged', decision: 'approve' }),
      redirect: 'manual',
    });
    assert.equal(forged.status, 403);
  });

  it('refuses an authorization request without PKCE', async () => {
    const registered = await (await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:9/a'] }),
    })).json();
    const url = new URL(`${base}/authorize`);
    url.search = new URLSearchParams({ response_type: 'code', client_id: registered.client_id, redirect_uri: 'http://127.0.0.1:9/a', state: 'x' }).toString();
    // Before the user consented to this client, errors are a page here, never a redirect to a
    // URI that anyone could have registered (no open redirector).
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(await response.text(), /PKCE is required/);
  });
});

describe('auth0: a resource server for Auth0\'s own dynamic client registration', { timeout: 120_000 }, () => {
  let fake;
  let server;
  let base;

  before(async () => {
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

  it('names the tenant as authorization server and mirrors its metadata', async () => {
    const prm = await (await fetch(`${base}/.well-known/oauth-protected-resource/mcp`)).json();
    assert.deepEqual(prm.authorization_servers, [fake.issuer]);
    const mirrored = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
    assert.equal(mirrored.issuer, fake.issuer);
    assert.equal(mirrored.registration_endpoint, `${fake.origin}/oidc/register`);
  });

  it('without a token, gets the 401 challenge', async () => {
    await assertChallenge(server.url);
  });

  it('alice registers at the tenant, signs in and deletes a document', async () => {
    const { client, provider } = await signIn(server.url, fake, 'alice');
    assert.ok(provider.store.client.client_id, 'the client registered at the tenant');
    const deleted = await client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-3' } });
    assert.match(text(deleted), /Document deleted: doc-3/);
    await client.close();
  });

  it('bob is denied the deletion', async () => {
    const { client } = await signIn(server.url, fake, 'bob');
    const denied = await client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-2' } });
    assert.equal(denied.isError, true);
    assert.equal(text(denied), 'Forbidden: requires delete:documents');
    await client.close();
  });
});

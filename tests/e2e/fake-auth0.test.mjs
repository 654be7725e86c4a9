// Tests of the fake Auth0 tenant itself (lib/fake-auth0.mjs), without any Rust server.
//
//   ./node_modules/.bin/node --test fake-auth0.test.mjs

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';

import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

import { API_CLIENT_ID, API_CLIENT_SECRET, DOCUMENTS_API, pkcePair, startFakeAuth0 } from './lib/fake-auth0.mjs';

const AUDIENCE = 'https://api.example.com/mcp';
const CLIENT_ID = 'regular-web-app';
const CLIENT_SECRET = 'regular-web-app-secret-0123456789';
const PROXY_CALLBACK = 'http://127.0.0.1:4321/oauth/callback';
// Nothing listens here: loginAs only returns the redirect to it.
const PUBLIC_CALLBACK = 'http://127.0.0.1:45999/callback';

let auth0;
let meta;
let jwks;

before(async () => {
  auth0 = await startFakeAuth0({
    audience: AUDIENCE,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [PROXY_CALLBACK],
  });
  meta = await (await fetch(`${auth0.origin}/.well-known/openid-configuration`)).json();
  jwks = createRemoteJWKSet(new URL(meta.jwks_uri));
});

after(async () => {
  await auth0?.stop();
});

function authorizeUrl(params) {
  const u = new URL(meta.authorization_endpoint);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.href;
}

async function tokenRequest(params, headers = {}) {
  const res = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: await res.json() };
}

async function verifyAccessToken(token) {
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: auth0.issuer,
    audience: AUDIENCE,
    algorithms: ['RS256'],
  });
  return { payload, protectedHeader };
}

async function registerPublicClient(redirectUri = PUBLIC_CALLBACK) {
  const res = await fetch(meta.registration_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'e2e public client',
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    }),
  });
  return { status: res.status, body: await res.json() };
}

/** Runs /authorize (+ login) for `username` and returns { code, verifier, ... }. */
async function authorize({ clientId, redirectUri, username, scope, extra = {} }) {
  const pkce = pkcePair();
  const state = `state-${Math.random().toString(36).slice(2)}`;
  const result = await auth0.loginAs(authorizeUrl({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    ...extra,
  }), username);
  return { ...result, expectedState: state, verifier: pkce.verifier };
}

describe('discovery', () => {
  it('advertises the Auth0 endpoints, with the trailing-slash issuer', async () => {
    const o = auth0.origin;
    assert.equal(auth0.issuer, `${o}/`);
    assert.match(o, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(meta.issuer, `${o}/`);
    assert.equal(meta.authorization_endpoint, `${o}/authorize`);
    assert.equal(meta.token_endpoint, `${o}/oauth/token`);
    assert.equal(meta.jwks_uri, `${o}/.well-known/jwks.json`);
    assert.equal(meta.registration_endpoint, `${o}/oidc/register`);
    assert.equal(meta.userinfo_endpoint, `${o}/userinfo`);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.ok(meta.token_endpoint_auth_methods_supported.includes('client_secret_post'));
    assert.ok(meta.token_endpoint_auth_methods_supported.includes('none'));
    assert.ok(meta.grant_types_supported.includes('refresh_token'));
  });

  it('serves the same metadata at /.well-known/oauth-authorization-server (RFC 8414)', async () => {
    const res = await fetch(`${auth0.origin}/.well-known/oauth-authorization-server`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), meta);
  });

  it('publishes an RS256 signing key', async () => {
    const { keys } = await (await fetch(meta.jwks_uri)).json();
    assert.equal(keys.length, 1);
    assert.equal(keys[0].kty, 'RSA');
    assert.equal(keys[0].d, undefined, 'no private parts');
  });
});

describe('dynamic client registration', () => {
  it('registers a public client with a loopback http redirect URI, no initial access token', async () => {
    const { status, body } = await registerPublicClient('http://127.0.0.1:45123/callback');
    assert.equal(status, 201, JSON.stringify(body));
    assert.ok(body.client_id);
    assert.equal(body.client_secret, undefined);
    assert.equal(body.token_endpoint_auth_method, 'none');
    assert.deepEqual(body.redirect_uris, ['http://127.0.0.1:45123/callback']);
    assert.deepEqual(body.grant_types, ['authorization_code', 'refresh_token']);
  });

  it('accepts what MCP clients send (API scopes in `scope`, localhost, software_id) and ignores `scope`', async () => {
    const res = await fetch(meta.registration_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'mcp client',
        client_uri: 'https://example.com',
        redirect_uris: ['http://localhost:45124/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        scope: 'openid read:data',
        software_id: 'e2e',
        software_version: '1.0.0',
      }),
    });
    const body = await res.json();
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.equal(body.scope, undefined);
    assert.equal(body.token_endpoint_auth_method, 'none');
  });

  it('defaults to a confidential client_secret_post client with both grants', async () => {
    const res = await fetch(meta.registration_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:45125/callback'] }),
    });
    const body = await res.json();
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.equal(body.token_endpoint_auth_method, 'client_secret_post');
    assert.ok(body.client_secret);
    assert.deepEqual(body.grant_types, ['authorization_code', 'refresh_token']);
  });
});

describe('authorization code flow with PKCE and audience', () => {
  const SCOPE = 'openid profile email read:data delete:documents';

  it('alice, public client: code -> tokens -> refresh (rotated)', async () => {
    const { body: client } = await registerPublicClient();
    const a = await authorize({
      clientId: client.client_id, redirectUri: PUBLIC_CALLBACK, username: 'alice', scope: SCOPE,
      extra: { audience: AUDIENCE },
    });
    assert.equal(a.error, undefined, a.error_description);
    assert.ok(a.url.startsWith(`${PUBLIC_CALLBACK}?`), a.url);
    assert.equal(a.state, a.expectedState);
    assert.ok(a.code);

    const t = await tokenRequest({
      grant_type: 'authorization_code',
      code: a.code,
      redirect_uri: PUBLIC_CALLBACK,
      code_verifier: a.verifier,
      client_id: client.client_id,
    });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.equal(t.body.token_type, 'Bearer');
    assert.ok(t.body.refresh_token, 'refresh token issued without offline_access');
    assert.ok(t.body.id_token);

    const { payload, protectedHeader } = await verifyAccessToken(t.body.access_token);
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.iss, auth0.issuer);
    assert.ok([payload.aud].flat().includes(AUDIENCE));
    assert.equal(payload.sub, 'auth0|alice');
    assert.equal(payload.azp, client.client_id);
    assert.equal(payload.client_id, client.client_id);
    assert.equal(typeof payload.exp, 'number');
    assert.equal(typeof payload.iat, 'number');
    assert.deepEqual(payload.permissions, ['read:data', 'delete:documents']);
    const scopes = payload.scope.split(' ');
    assert.ok(scopes.includes('read:data'));
    assert.ok(scopes.includes('delete:documents'));
    assert.equal(t.body.scope, payload.scope);

    // /userinfo accepts the API token (openid was granted), like Auth0.
    const ui = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${t.body.access_token}` } });
    assert.equal(ui.status, 200);
    const me = await ui.json();
    assert.equal(me.sub, 'auth0|alice');
    assert.equal(me.email, 'alice@example.com');
    assert.equal(me.name, 'Alice Example');

    // Refresh: a new access token for the same API and a rotated refresh token.
    const r = await tokenRequest({
      grant_type: 'refresh_token', refresh_token: t.body.refresh_token, client_id: client.client_id,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.notEqual(r.body.access_token, t.body.access_token);
    assert.ok(r.body.refresh_token);
    assert.notEqual(r.body.refresh_token, t.body.refresh_token, 'rotation is on');
    const { payload: p2 } = await verifyAccessToken(r.body.access_token);
    assert.equal(p2.sub, 'auth0|alice');
    assert.deepEqual(p2.permissions, ['read:data', 'delete:documents']);
    assert.ok(p2.scope.split(' ').includes('read:data'));

    // The rotated-out refresh token no longer works.
    const again = await tokenRequest({
      grant_type: 'refresh_token', refresh_token: t.body.refresh_token, client_id: client.client_id,
    });
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
  });

  it('bob, confidential client with client_secret_post: only his permissions', async () => {
    const a = await authorize({
      clientId: CLIENT_ID, redirectUri: PROXY_CALLBACK, username: 'bob', scope: SCOPE,
      extra: { audience: AUDIENCE },
    });
    assert.equal(a.error, undefined, a.error_description);
    assert.ok(a.url.startsWith(`${PROXY_CALLBACK}?`), a.url);
    assert.equal(a.state, a.expectedState);

    const t = await tokenRequest({
      grant_type: 'authorization_code',
      code: a.code,
      redirect_uri: PROXY_CALLBACK,
      code_verifier: a.verifier,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    const { payload } = await verifyAccessToken(t.body.access_token);
    assert.equal(payload.sub, 'auth0|bob');
    assert.equal(payload.azp, CLIENT_ID);
    assert.deepEqual(payload.permissions, ['read:data']);
    const scopes = payload.scope.split(' ');
    assert.ok(scopes.includes('read:data'));
    assert.ok(!scopes.includes('delete:documents'), 'RBAC: bob lacks delete:documents');
    assert.ok(t.body.refresh_token);

    const r = await tokenRequest({
      grant_type: 'refresh_token', refresh_token: t.body.refresh_token,
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const { payload: p2 } = await verifyAccessToken(r.body.access_token);
    assert.deepEqual(p2.permissions, ['read:data']);
  });

  it('the confidential client may also use client_secret_basic; a wrong secret is refused', async () => {
    const a = await authorize({
      clientId: CLIENT_ID, redirectUri: PROXY_CALLBACK, username: 'alice', scope: 'openid read:data',
      extra: { audience: AUDIENCE },
    });
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    const t = await tokenRequest({
      grant_type: 'authorization_code', code: a.code, redirect_uri: PROXY_CALLBACK, code_verifier: a.verifier,
    }, { authorization: `Basic ${basic}` });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    const { payload } = await verifyAccessToken(t.body.access_token);
    assert.equal(payload.sub, 'auth0|alice');

    const b = await authorize({
      clientId: CLIENT_ID, redirectUri: PROXY_CALLBACK, username: 'alice', scope: 'openid read:data',
      extra: { audience: AUDIENCE },
    });
    const bad = await tokenRequest({
      grant_type: 'authorization_code', code: b.code, redirect_uri: PROXY_CALLBACK, code_verifier: b.verifier,
      client_id: CLIENT_ID, client_secret: 'wrong',
    });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error, 'invalid_client');
  });

  it('RFC 8707 `resource` selects the API too', async () => {
    const { body: client } = await registerPublicClient();
    const a = await authorize({
      clientId: client.client_id, redirectUri: PUBLIC_CALLBACK, username: 'bob', scope: 'read:data',
      extra: { resource: AUDIENCE },
    });
    assert.ok(a.code, a.url);
    const t = await tokenRequest({
      grant_type: 'authorization_code', code: a.code, redirect_uri: PUBLIC_CALLBACK,
      code_verifier: a.verifier, client_id: client.client_id, resource: AUDIENCE,
    });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    const { payload } = await verifyAccessToken(t.body.access_token);
    assert.equal(payload.aud, AUDIENCE, 'no openid: aud is just the API');
    assert.equal(payload.scope, 'read:data');
    assert.deepEqual(payload.permissions, ['read:data']);
  });

  it('an unknown resource is refused; no audience gives an opaque (non-JWT) token', async () => {
    const { body: client } = await registerPublicClient();
    const bad = await authorize({
      clientId: client.client_id, redirectUri: PUBLIC_CALLBACK, username: 'alice', scope: 'openid read:data',
      extra: { resource: 'https://other.example.com/' },
    });
    assert.equal(bad.error, 'invalid_target');

    const a = await authorize({
      clientId: client.client_id, redirectUri: PUBLIC_CALLBACK, username: 'alice', scope: 'openid email',
    });
    const t = await tokenRequest({
      grant_type: 'authorization_code', code: a.code, redirect_uri: PUBLIC_CALLBACK,
      code_verifier: a.verifier, client_id: client.client_id,
    });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.equal(t.body.access_token.split('.').length, 1, 'opaque');
    const ui = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${t.body.access_token}` } });
    assert.equal(ui.status, 200);
    assert.equal((await ui.json()).email, 'alice@example.com');
  });

  it('access tokens carry typ JWT like Auth0', async () => {
    const a = await authorize({
      clientId: CLIENT_ID, redirectUri: PROXY_CALLBACK, username: 'bob', scope: 'read:data',
      extra: { audience: AUDIENCE },
    });
    const t = await tokenRequest({
      grant_type: 'authorization_code', code: a.code, redirect_uri: PROXY_CALLBACK, code_verifier: a.verifier,
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
    });
    assert.equal(decodeProtectedHeader(t.body.access_token).typ, 'JWT');
  });

  it('a request without scope still gets an API token (scope defaults to openid)', async () => {
    const a = await authorize({
      clientId: CLIENT_ID, redirectUri: PROXY_CALLBACK, username: 'alice', scope: undefined,
      extra: { audience: AUDIENCE },
    });
    assert.ok(a.code, a.url);
    const t = await tokenRequest({
      grant_type: 'authorization_code', code: a.code, redirect_uri: PROXY_CALLBACK, code_verifier: a.verifier,
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
    });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    const { payload } = await verifyAccessToken(t.body.access_token);
    assert.equal(payload.scope, 'openid');
    assert.deepEqual(payload.permissions, ['read:data', 'delete:documents']);
  });

  it('a reused cookie jar (existing session) skips the login page and auto-consents', async () => {
    const jar = new Map();
    const { body: client } = await registerPublicClient();
    const pkce = pkcePair();
    const url = authorizeUrl({
      response_type: 'code', client_id: client.client_id, redirect_uri: PUBLIC_CALLBACK, scope: 'openid read:data',
      state: 'sso', audience: AUDIENCE, code_challenge: pkce.challenge, code_challenge_method: 'S256',
    });
    const a = await auth0.loginAs(url, 'bob', { jar });
    assert.ok(a.code);
    // Same jar, another client: no login form this time (the session is bob's).
    const { body: client2 } = await registerPublicClient();
    const b = await auth0.loginAs(url.replace(client.client_id, client2.client_id), 'ignored', { jar });
    assert.ok(b.code, b.url);
    assert.ok(!b.steps.some((s) => s.includes('/login')), b.steps.join('\n'));
    assert.ok(b.steps.some((s) => s.includes('/interaction/')), 'consent prompt went through the interaction route');
    const t = await tokenRequest({
      grant_type: 'authorization_code', code: b.code, redirect_uri: PUBLIC_CALLBACK,
      code_verifier: pkce.verifier, client_id: client2.client_id,
    });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    const { payload } = await verifyAccessToken(t.body.access_token);
    assert.equal(payload.sub, 'auth0|bob');
    assert.equal(payload.azp, client2.client_id);
  });

  it('a wrong code_verifier is refused', async () => {
    const a = await authorize({
      clientId: CLIENT_ID, redirectUri: PROXY_CALLBACK, username: 'alice', scope: 'openid read:data',
      extra: { audience: AUDIENCE },
    });
    const t = await tokenRequest({
      grant_type: 'authorization_code', code: a.code, redirect_uri: PROXY_CALLBACK,
      code_verifier: pkcePair().verifier, client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
    });
    assert.equal(t.status, 400);
    assert.equal(t.body.error, 'invalid_grant');
  });

  it('an unknown user gets access_denied', async () => {
    const a = await authorize({
      clientId: CLIENT_ID, redirectUri: PROXY_CALLBACK, username: 'mallory', scope: 'openid read:data',
      extra: { audience: AUDIENCE },
    });
    assert.equal(a.error, 'access_denied');
    assert.equal(a.code, undefined);
  });
});

describe('PKCE is required', () => {
  for (const [label, clientId, redirectUri] of [
    ['confidential client', CLIENT_ID, PROXY_CALLBACK],
    ['public client', undefined, PUBLIC_CALLBACK],
  ]) {
    it(`an authorization request without code_challenge is refused (${label})`, async () => {
      const cid = clientId ?? (await registerPublicClient()).body.client_id;
      const r = await auth0.loginAs(authorizeUrl({
        response_type: 'code', client_id: cid, redirect_uri: redirectUri,
        scope: 'openid read:data', state: 's1', audience: AUDIENCE,
      }), 'alice');
      assert.equal(r.error, 'invalid_request');
      assert.match(r.error_description, /PKCE/);
      assert.equal(r.code, undefined);
      assert.equal(r.state, 's1');
    });
  }

  it('code_challenge_method=plain is refused', async () => {
    const r = await auth0.loginAs(authorizeUrl({
      response_type: 'code', client_id: CLIENT_ID, redirect_uri: PROXY_CALLBACK, scope: 'openid',
      state: 's2', audience: AUDIENCE, code_challenge: 'a'.repeat(43), code_challenge_method: 'plain',
    }), 'alice');
    assert.equal(r.error, 'invalid_request');
    assert.equal(r.code, undefined);
  });
});

describe('On-Behalf-Of token exchange: only the Custom API client of the API', () => {
  const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
  const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
  const NOT_ALLOWED = {
    error: 'unauthorized_client',
    error_description: 'the client is not allowed to use On-Behalf-Of token exchange',
  };
  let subject; // alice's access token for AUDIENCE

  before(async () => {
    const a = await authorize({
      clientId: CLIENT_ID, redirectUri: PROXY_CALLBACK, username: 'alice', scope: 'openid delete:documents',
      extra: { audience: AUDIENCE },
    });
    const t = await tokenRequest({
      grant_type: 'authorization_code', code: a.code, redirect_uri: PROXY_CALLBACK, code_verifier: a.verifier,
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
    });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    subject = t.body.access_token;
  });

  const exchange = (client) => tokenRequest({
    grant_type: EXCHANGE, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE,
    audience: DOCUMENTS_API, scope: 'delete:documents', ...client,
  }, { accept: 'application/json' });

  it('the API client (app_type resource_server, tied to the audience) exchanges: act names it', async () => {
    assert.equal(auth0.apiClientId, API_CLIENT_ID);
    assert.equal(auth0.apiClientSecret, API_CLIENT_SECRET);
    const client = await auth0.provider.Client.find(API_CLIENT_ID);
    assert.equal(client.app_type, 'resource_server');
    assert.equal(client.resource_server_identifier, AUDIENCE);
    assert.deepEqual(client.grantTypes, [EXCHANGE]);

    const r = await exchange({ client_id: API_CLIENT_ID, client_secret: API_CLIENT_SECRET });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.scope, 'delete:documents');
    const { payload } = await jwtVerify(r.body.access_token, jwks, {
      issuer: auth0.issuer, audience: DOCUMENTS_API, algorithms: ['RS256'],
    });
    assert.equal(payload.sub, 'auth0|alice');
    assert.deepEqual(payload.act, { sub: API_CLIENT_ID });
  });

  it('the Regular Web Application gets 403 unauthorized_client, recorded, nothing issued', async () => {
    const before = auth0.exchanges.length;
    const r = await exchange({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.deepEqual(r.body, NOT_ALLOWED);
    const recorded = auth0.exchanges.slice(before);
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].clientId, CLIENT_ID);
    assert.equal(recorded[0].error, 'unauthorized_client');
    assert.equal(recorded[0].accessToken, undefined);
  });

  it('a registered client is never a Custom API client, even claiming to be one; nor a public client', async () => {
    const res = await fetch(meta.registration_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: [PUBLIC_CALLBACK],
        grant_types: ['authorization_code', EXCHANGE],
        app_type: 'resource_server',
        resource_server_identifier: AUDIENCE,
        token_exchange: { allow_any_profile_of_type: ['on_behalf_of_token_exchange'] },
      }),
    });
    const registered = await res.json();
    assert.equal(res.status, 201, JSON.stringify(registered));
    assert.equal(registered.app_type, undefined);
    assert.equal(registered.resource_server_identifier, undefined);
    const r = await exchange({ client_id: registered.client_id, client_secret: registered.client_secret });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.deepEqual(r.body, NOT_ALLOWED);

    const pub = (await registerPublicClient()).body;
    const p = await exchange({ client_id: pub.client_id });
    assert.equal(p.status, 403, JSON.stringify(p.body));
    assert.deepEqual(p.body, NOT_ALLOWED);
  });
});

describe('loginAs through another server first (a stand-in for the Rust proxy)', () => {
  // A tiny "proxy": /authorize shows a consent page; approving redirects to the
  // fake Auth0 with the confidential client; its /oauth/callback exchanges
  // nothing, it just redirects to the MCP client's redirect_uri with a new code.
  let proxy;
  let proxyOrigin;
  let proxyCallback;
  let idp; // a second fake tenant whose confidential client redirects to this proxy
  const seen = {};

  before(async () => {
    proxy = http.createServer(async (req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (url.pathname === '/authorize' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!DOCTYPE html><html><body><h1>Allow &quot;client&quot;?</h1>
<form method="POST" action="/authorize/decision">
  <input type="hidden" name="txn" value="t&amp;1">
  <input type="hidden" name="client_state" value="${url.searchParams.get('state')}">
  <button type="submit" name="decision" value="deny">Deny</button>
  <button type="submit" name="decision" value="approve">Approve</button>
</form></body></html>`);
        return;
      }
      if (url.pathname === '/authorize/decision' && req.method === 'POST') {
        let body = '';
        for await (const c of req) body += c;
        const form = new URLSearchParams(body);
        seen.form = Object.fromEntries(form);
        if (form.get('decision') !== 'approve') {
          res.writeHead(302, { location: `${PUBLIC_CALLBACK}?error=access_denied&state=${form.get('client_state')}` });
          res.end();
          return;
        }
        const pkce = pkcePair();
        seen.verifier = pkce.verifier;
        res.writeHead(302, {
          location: `${idp.origin}/authorize?${new URLSearchParams({
            response_type: 'code', client_id: CLIENT_ID, redirect_uri: proxyCallback, scope: 'openid read:data',
            state: form.get('client_state'), audience: AUDIENCE,
            code_challenge: pkce.challenge, code_challenge_method: 'S256',
          })}`,
        });
        res.end();
        return;
      }
      if (url.pathname === '/oauth/callback') {
        seen.upstreamCode = url.searchParams.get('code');
        res.writeHead(302, { location: `${PUBLIC_CALLBACK}?code=proxy-code&state=${url.searchParams.get('state')}` });
        res.end();
        return;
      }
      res.writeHead(404);
      res.end();
    });
    await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyOrigin = `http://127.0.0.1:${proxy.address().port}`;
    proxyCallback = `${proxyOrigin}/oauth/callback`;
    // Started before knowing the proxy's callback; setRedirectUris() fixes that up.
    idp = await startFakeAuth0({ audience: AUDIENCE, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    await idp.setRedirectUris([proxyCallback]);
  });

  after(async () => {
    await idp?.stop();
    await new Promise((resolve) => { proxy.close(resolve); proxy.closeAllConnections(); });
  });

  async function idpToken(params) {
    const res = await fetch(`${idp.origin}/oauth/token`, { method: 'POST', body: new URLSearchParams(params) });
    return { status: res.status, body: await res.json() };
  }

  it('submits the consent form, logs in at the provider, follows the proxy callback', async () => {
    const r = await idp.loginAs(`${proxyOrigin}/authorize?state=client-state`, 'alice', {
      proxyOrigin,
      stopAt: PUBLIC_CALLBACK,
    });
    assert.equal(r.code, 'proxy-code');
    assert.equal(r.state, 'client-state');
    assert.deepEqual(seen.form, { txn: 't&1', client_state: 'client-state', decision: 'approve' });
    assert.ok(seen.upstreamCode, 'the proxy callback got a code from the provider');
    // That upstream code is good for the confidential client.
    const t = await idpToken({
      grant_type: 'authorization_code', code: seen.upstreamCode, redirect_uri: proxyCallback,
      code_verifier: seen.verifier, client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
    });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    const { payload } = await jwtVerify(t.body.access_token, createRemoteJWKSet(new URL(`${idp.origin}/.well-known/jwks.json`)), {
      issuer: idp.issuer, audience: AUDIENCE,
    });
    assert.equal(payload.sub, 'auth0|alice');
  });

  it('without stopAt, stops at the first code/error redirect outside provider and proxy', async () => {
    const r = await idp.loginAs(`${proxyOrigin}/authorize?state=s3`, 'bob', { proxyOrigin });
    assert.ok(r.url.startsWith(`${PUBLIC_CALLBACK}?`), r.url);
    assert.equal(r.code, 'proxy-code');
  });

  it('decision=deny is passed through', async () => {
    const r = await idp.loginAs(`${proxyOrigin}/authorize?state=s4`, 'bob', { proxyOrigin, decision: 'deny' });
    assert.equal(r.error, 'access_denied');
    assert.equal(r.state, 's4');
  });
});

// On-Behalf-Of token exchange (RFC 8693) end to end: `auth0_proxy`'s delete-document tool calls
// the documents API (a service of its own, started by the example on a loopback port, with its
// own Auth0 audience) with a token the server got from the fake tenant in exchange for the
// caller's, never with the caller's token. The official TypeScript SDK client signs in through
// the whole OAuth flow; the fake tenant (lib/fake-auth0.mjs) records every exchange.
//
// As with Auth0, only the MCP API's Custom API client (app_type resource_server, tied to the API)
// may exchange: the server does so with AUTH0_EXCHANGE_CLIENT_ID / AUTH0_EXCHANGE_CLIENT_SECRET
// (startProxyWithTenant sets them). Without them it exchanges as its Regular Web Application,
// which the tenant refuses (403 unauthorized_client).
//
// alice may delete at the MCP server and at the documents API; bob at neither; carol at the MCP
// server only, so the MCP guard lets her through and the exchange gives her no delete:documents.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';

import { API_CLIENT_ID, API_CLIENT_SECRET, DOCUMENTS_API } from './lib/fake-auth0.mjs';
import { signIn, text } from './lib/oauth-client.mjs';
import { AUDIENCE, startProxyWithTenant } from './lib/proxy.mjs';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** The client the server exchanges with: the MCP API's Custom API client. */
const SERVER_CLIENT = { client_id: API_CLIENT_ID, client_secret: API_CLIENT_SECRET };
/** The server's Regular Web Application (AUTH0_CLIENT_ID), which may not exchange. */
const WEB_APP = { client_id: 'regular-web-app', client_secret: 'regular-web-app-secret' };
const REFUSED_CLIENT = `no token for ${DOCUMENTS_API}: the authorization server refused this server's client `
  + '(unauthorized_client): the client is not allowed to use On-Behalf-Of token exchange. '
  + "The exchanging client must be allowed On-Behalf-Of exchange (with Auth0, the API's own client: "
  + 'AUTH0_EXCHANGE_CLIENT_ID and AUTH0_EXCHANGE_CLIENT_SECRET)';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The tenant's token endpoint, as the server would call it (client_secret_post). */
async function exchangeAt(fake, params) {
  const response = await fetch(`${fake.origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: EXCHANGE,
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: DOCUMENTS_API,
      ...SERVER_CLIENT,
      ...params,
    }),
  });
  return { status: response.status, body: await response.json() };
}

/** Starts the proxy and reads its documents API's address from the start-up log line. */
async function startWithDocumentsApi(env = {}) {
  const proxy = await startProxyWithTenant({ RUST_LOG: 'info,documents_api=info', ...env });
  const log = () => proxy.server.stdout() + proxy.server.stderr();
  const started = new RegExp(`documents API for audience ${escape(DOCUMENTS_API)} listening on (http://127\\.0\\.0\\.1:\\d+)`);
  for (let i = 0; i < 50 && !started.test(log()); i += 1) await new Promise((r) => setTimeout(r, 100));
  const m = started.exec(log());
  if (!m) {
    await proxy.stop();
    assert.fail(`the start-up log names the documents API's address:\n${log()}`);
  }
  /** The documents API's lines about accepted tokens (one per DELETE). */
  const apiLines = () => log().split('\n').filter((l) => /\bdocuments_api\b/.test(l) && /DELETE \/documents\//.test(l));
  return { proxy, log, apiLines, apiUrl: m[1] };
}

describe('auth0_proxy: On-Behalf-Of token exchange for the documents API', { timeout: 60_000 }, () => {
  let proxy;
  let fake;
  let server;
  let base;
  let apiUrl; // where the example's documents API listens, from its start-up log line
  let log;
  let apiLines;
  const exchangesOf = (sub) => fake.exchanges.filter((e) => e.subjectSub === sub);
  const exchange = (params) => exchangeAt(fake, params);

  before(async () => {
    ({ proxy, log, apiLines, apiUrl } = await startWithDocumentsApi());
    ({ fake, server, base } = proxy);
    assert.equal(fake.apiClientId, SERVER_CLIENT.client_id);
  });

  after(async () => {
    await proxy?.stop();
  });

  let alice; // { client, provider } of alice's sign-in

  it('alice deletes doc-1 with a token exchanged for the documents API, never with her own', async () => {
    alice = await signIn(server.url, fake, 'alice', { proxyOrigin: base });
    const mcpToken = alice.provider.store.tokens.access_token;
    assert.ok(mcpToken, 'the SDK holds an access token');

    const deleted = await alice.client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-1' } });
    assert.equal(deleted.isError, undefined, text(deleted));
    assert.equal(text(deleted), 'Document deleted: doc-1 (Quarterly report)');

    // One exchange at the tenant, of alice's MCP token, for the documents API and delete:documents.
    const mine = exchangesOf('auth0|alice');
    assert.equal(mine.length, 1, JSON.stringify(fake.exchanges.map((e) => ({ ...e, subjectToken: '…', accessToken: '…' }))));
    const [ex] = mine;
    assert.equal(ex.audience, DOCUMENTS_API);
    assert.equal(ex.scope, 'delete:documents');
    assert.deepEqual(ex.granted, ['delete:documents']);
    assert.equal(ex.clientId, SERVER_CLIENT.client_id);
    assert.equal(ex.error, undefined);
    assert.equal(ex.subjectToken, mcpToken, "the subject token is the client's access token");
    assert.notEqual(ex.accessToken, mcpToken);

    // The documents API saw the exchanged token: alice, its own audience, the scope, the actor.
    const lines = apiLines();
    const line = lines.find((l) => /DELETE \/documents\/doc-1\b/.test(l));
    assert.ok(line, `a documents_api line for doc-1:\n${log()}`);
    assert.match(line, /\bsub="?auth0\|alice"?(\s|$)/);
    assert.match(line, new RegExp(`\\baud="?${escape(DOCUMENTS_API)}"?(\\s|$)`));
    assert.match(line, /\bscope="?delete:documents"?(\s|$)/);
    assert.match(line, new RegExp(`\\bact=.*${escape(SERVER_CLIENT.client_id)}`));
    assert.doesNotMatch(line, /regular-web-app/, 'the actor is the API client, not the Regular Web Application');
    assert.doesNotMatch(log(), /refused a token/);

    // Passing alice's own token through would not work: the documents API refuses its audience.
    const direct = await fetch(`${apiUrl}/documents/doc-2`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${mcpToken}` },
    });
    const why = await direct.text();
    assert.equal(direct.status, 401, why);
    assert.equal(apiLines().length, lines.length, 'no token was accepted for that request');
    for (let i = 0; i < 20 && !/refused a token/.test(log()); i += 1) await new Promise((r) => setTimeout(r, 50));
    assert.match(log(), /documents_api.*refused a token/);
  });

  it('a second deletion by alice reuses the exchanged token', async () => {
    const deleted = await alice.client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-2' } });
    assert.equal(deleted.isError, undefined, text(deleted));
    assert.equal(text(deleted), 'Document deleted: doc-2 (Meeting notes)');
    assert.equal(exchangesOf('auth0|alice').length, 1, 'no second exchange (cached per caller token, audience, scopes)');
    const line = apiLines().find((l) => /DELETE \/documents\/doc-2\b/.test(l));
    assert.ok(line, `a documents_api line for doc-2:\n${log()}`);
    assert.match(line, /\bsub="?auth0\|alice"?(\s|$)/);
    await alice.client.close();
  });

  it('bob is refused by the MCP guard, and the tenant would not give him delete:documents', async () => {
    const { client, provider } = await signIn(server.url, fake, 'bob', { proxyOrigin: base });
    const denied = await client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-3' } });
    assert.equal(denied.isError, true);
    assert.equal(text(denied), 'Forbidden: requires delete:documents');
    assert.equal(exchangesOf('auth0|bob').length, 0, 'the guard refused before any exchange');
    await client.close();

    // The exchange the server would have made, by hand: bob holds read:data only at the documents API.
    const { status, body } = await exchange({
      subject_token: provider.store.tokens.access_token,
      scope: 'delete:documents read:data',
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.issued_token_type, ACCESS_TOKEN_TYPE);
    assert.deepEqual(body.scope.split(' '), ['read:data']);
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString('utf8'));
    assert.equal(claims.sub, 'auth0|bob');
    assert.equal(claims.aud, DOCUMENTS_API);
    assert.deepEqual(claims.permissions, ['read:data']);
    assert.deepEqual(claims.act, { sub: SERVER_CLIENT.client_id });
  });

  it('carol passes the MCP guard, but her exchange yields no delete:documents: a tool error', async () => {
    const { client } = await signIn(server.url, fake, 'carol', { proxyOrigin: base });
    const info = await client.callTool({ name: 'get-user-info', arguments: {} });
    assert.deepEqual(info.structuredContent.permissions, ['read:data', 'delete:documents']);

    const refused = await client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-3' } });
    assert.equal(refused.isError, true, text(refused));
    assert.match(text(refused), new RegExp(`${escape(DOCUMENTS_API)} refused the exchange: the user does not hold delete:documents`));

    const mine = exchangesOf('auth0|carol');
    assert.equal(mine.length, 1);
    assert.equal(mine[0].scope, 'delete:documents');
    assert.deepEqual(mine[0].granted, []);
    assert.equal(apiLines().filter((l) => /auth0\|carol/.test(l)).length, 0, 'the documents API was never called for carol');

    const listed = await client.callTool({ name: 'list-documents', arguments: {} });
    assert.match(text(listed), /^doc-3: Roadmap$/m);
    await client.close();
  });

  it('the tenant refuses a forged subject token, and issues nothing', async () => {
    const before = fake.exchanges.length;
    const garbage = await exchange({ subject_token: 'not-a-token', scope: 'delete:documents' });
    assert.equal(garbage.status, 400, JSON.stringify(garbage.body));
    assert.equal(garbage.body.error, 'invalid_grant');
    assert.equal(garbage.body.access_token, undefined);

    // Well-formed, with every claim right, but signed with a key that is not the tenant's.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ scope: 'read:data delete:documents', permissions: ['read:data', 'delete:documents'] })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'forged' })
      .setIssuer(fake.issuer).setSubject('auth0|alice').setAudience(AUDIENCE)
      .setIssuedAt(now).setExpirationTime(now + 600)
      .sign(privateKey);
    const signed = await exchange({ subject_token: forged, scope: 'delete:documents' });
    assert.equal(signed.status, 400, JSON.stringify(signed.body));
    assert.equal(signed.body.error, 'invalid_grant');
    assert.equal(signed.body.access_token, undefined);

    // A token already exchanged (audience: the documents API) is no subject either.
    const issued = exchangesOf('auth0|alice')[0].accessToken;
    const again = await exchange({ subject_token: issued, scope: 'delete:documents' });
    assert.equal(again.status, 400, JSON.stringify(again.body));
    assert.equal(again.body.error, 'invalid_grant');

    const recorded = fake.exchanges.slice(before);
    assert.equal(recorded.length, 3);
    for (const e of recorded) {
      assert.equal(e.error, 'invalid_grant');
      assert.equal(e.accessToken, undefined);
      assert.deepEqual(e.granted, []);
    }
  });
});

describe('auth0_proxy without AUTH0_EXCHANGE_CLIENT_ID: its Regular Web Application may not exchange', { timeout: 60_000 }, () => {
  let proxy;
  let fake;
  let server;
  let base;
  let apiLines;

  before(async () => {
    // Unset (the server reads '' as unset): the server exchanges with AUTH0_CLIENT_ID, the RWA.
    ({ proxy, apiLines } = await startWithDocumentsApi({ AUTH0_EXCHANGE_CLIENT_ID: '', AUTH0_EXCHANGE_CLIENT_SECRET: '' }));
    ({ fake, server, base } = proxy);
  });

  after(async () => {
    await proxy?.stop();
  });

  it("alice's deletion is a tool error that names AUTH0_EXCHANGE_CLIENT_ID, and nothing is issued", async () => {
    const { client, provider } = await signIn(server.url, fake, 'alice', { proxyOrigin: base });
    try {
      const mcpToken = provider.store.tokens.access_token;
      const refused = await client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-1' } });
      assert.equal(refused.isError, true, text(refused));
      assert.equal(text(refused), REFUSED_CLIENT);

      // The tenant was asked once, by the Regular Web Application, and refused it.
      const asked = fake.exchanges.map((e) => ({ ...e, subjectToken: '…', accessToken: e.accessToken && '…' }));
      assert.equal(fake.exchanges.length, 1, JSON.stringify(asked));
      const [ex] = fake.exchanges;
      assert.equal(ex.clientId, WEB_APP.client_id);
      assert.equal(ex.error, 'unauthorized_client');
      assert.equal(ex.subjectToken, mcpToken);
      assert.equal(ex.accessToken, undefined);
      assert.deepEqual(ex.granted, []);
      assert.equal(apiLines().length, 0, 'the documents API was never called');

      const listed = await client.callTool({ name: 'list-documents', arguments: {} });
      assert.match(text(listed), /^doc-1: Quarterly report$/m);

      // The same request by hand: Auth0's answer to a client that is not the API's Custom API client.
      const byHand = await exchangeAt(fake, { ...WEB_APP, subject_token: mcpToken, scope: 'delete:documents' });
      assert.equal(byHand.status, 403, JSON.stringify(byHand.body));
      assert.deepEqual(byHand.body, {
        error: 'unauthorized_client',
        error_description: 'the client is not allowed to use On-Behalf-Of token exchange',
      });
    } finally {
      await client.close();
    }
  });
});

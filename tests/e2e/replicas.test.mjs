// Many instances behind one load balancer: two `auth0_proxy` replicas with the same settings and
// one Redis (REDIS_URL), behind a round-robin TCP balancer (lib/balancer.mjs), in front of the
// fake Auth0 tenant. Every piece of shared state lives in Redis: the proxy's pending states,
// consent requests and codes, the 2025-era sessions, and the rate limits.
//
// - The official SDK client signs in through the balancer with each HTTP request on its own TCP
//   connection, so the steps alternate between the replicas; the balancer's log shows where each
//   landed. alice calls tools, bob is refused the deletion.
// - A code and a callback `state` are single use across replicas; a code redeemed on both at once
//   gives one token.
// - A 2025 session opened on one replica is used, and ended, on the other.
// - Redis stopped while running: every endpoint that needs it answers 503 (never 500, never a
//   token); Redis started again on the same port (empty, no persistence): the replicas recover
//   by themselves, and what Redis forgot (codes, sessions, states) is refused.
// - REDIS_URL pointing at nothing: a start-up error that names REDIS_URL.
//
// Needs Debian's redis-server (lib/redis.mjs).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { Readable } from 'node:stream';

import { startBalancer } from './lib/balancer.mjs';
import {
  API_CLIENT_ID, API_CLIENT_SECRET, cookieHeader, parseForms, pkcePair, startFakeAuth0, storeCookies,
} from './lib/fake-auth0.mjs';
import { signIn, text } from './lib/oauth-client.mjs';
import { AUDIENCE } from './lib/proxy.mjs';
import { startRedis } from './lib/redis.mjs';
import { examplePath, freePort, REPO_ROOT, startServer } from './lib/server.mjs';

const CB = 'http://127.0.0.1:9/cb'; // never contacted: the browser stops at the redirect
const SCOPE = 'read:data delete:documents';
const PREFIX = 'e2e-replicas:'; // MCP_REDIS_PREFIX of the first cluster
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * fetch with every request on a new TCP connection (node:http, `agent: false`), so that a
 * round-robin balancer hands consecutive requests to alternating backends. Never follows
 * redirects (every caller here asks for `redirect: 'manual'` or gets none). Streams the body,
 * and honours `signal` (the SDK aborts its SSE stream with it).
 */
export function freshFetch(input, init = {}) {
  const isRequest = typeof Request !== 'undefined' && input instanceof Request;
  const url = new URL(isRequest ? input.url : String(input));
  const method = (init.method ?? (isRequest ? input.method : 'GET')).toUpperCase();
  const headers = new Headers(init.headers ?? (isRequest ? input.headers : undefined));
  let body = init.body;
  if (body instanceof URLSearchParams) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    body = body.toString();
  } else if (body != null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    return Promise.reject(new TypeError(`freshFetch: unsupported body type ${Object.prototype.toString.call(body)}`));
  }
  const signal = init.signal ?? (isRequest ? input.signal : undefined);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new DOMException('This operation was aborted', 'AbortError'));
      return;
    }
    const req = http.request(url, { method, headers: Object.fromEntries(headers), agent: false }, (res) => {
      const responseHeaders = new Headers();
      for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
      const noBody = method === 'HEAD' || [101, 204, 205, 304].includes(res.statusCode);
      if (noBody) res.resume();
      resolve(new Response(noBody ? null : Readable.toWeb(res), {
        status: res.statusCode, statusText: res.statusMessage, headers: responseHeaders,
      }));
    });
    req.on('error', reject);
    signal?.addEventListener('abort', () => {
      const reason = signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
      req.destroy(reason);
      reject(reason);
    }, { once: true });
    req.end(body ?? undefined);
  });
}

/**
 * Redis, the fake tenant, two auth0_proxy replicas with the same settings and the balancer in
 * front of them. `MCP_PUBLIC_URL` is the balancer's URL; the tenant allows its callback.
 */
async function startCluster(extraEnv = {}) {
  const parts = {};
  try {
    parts.redis = await startRedis();
    const ports = [await freePort(), await freePort()];
    parts.lb = await startBalancer(ports);
    const base = parts.lb.url;
    parts.fake = await startFakeAuth0({
      audience: AUDIENCE,
      clientId: 'regular-web-app',
      clientSecret: 'regular-web-app-secret',
      redirectUris: [`${base}/oauth/callback`],
    });
    const env = {
      AUTH0_DOMAIN: parts.fake.origin,
      AUTH0_CLIENT_ID: 'regular-web-app',
      AUTH0_CLIENT_SECRET: 'regular-web-app-secret',
      AUTH0_AUDIENCE: AUDIENCE,
      // alice's delete-document exchanges her token: only the API's Custom API client may.
      AUTH0_EXCHANGE_CLIENT_ID: API_CLIENT_ID,
      AUTH0_EXCHANGE_CLIENT_SECRET: API_CLIENT_SECRET,
      MCP_PUBLIC_URL: base,
      REDIS_URL: parts.redis.url,
      ...extraEnv,
    };
    parts.replicas = [];
    for (const port of ports) {
      const server = await startServer('auth0_proxy', { ...env, PORT: String(port) });
      parts.replicas.push({ server, port, local: `http://127.0.0.1:${port}` });
    }
  } catch (e) {
    await stopCluster(parts);
    throw e;
  }
  return { ...parts, base: parts.lb.url, stop: () => stopCluster(parts) };
}

async function stopCluster({ lb, replicas, fake, redis }) {
  await lb?.stop().catch(() => {});
  for (const r of replicas ?? []) await r.server.stop();
  await fake?.stop().catch(() => {});
  await redis?.stop().catch(() => {});
}

/** Waits until a replica's output matches `re` (the banner follows the bind startServer waits for). */
async function waitForOutput(server, re, ms = 5_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const out = server.stderr() + server.stdout();
    const match = out.match(re);
    if (match || Date.now() > deadline) return { match, out };
    await sleep(50);
  }
}

/** `url` (at the public URL `base`) sent to `local` instead: a request routed by hand to one replica. */
function at(base, local, url) {
  const href = String(url);
  return href === base || href.startsWith(`${base}/`) ? local + href.slice(base.length) : href;
}

/** A fetch that sends the public URL's requests to one replica. */
function via(base, replica, f = fetch) {
  return (url, init) => f(at(base, replica.local, url), init);
}

/**
 * A browser with cookie jar `jar` (keyed by origin, as loginAs keeps it, so the cookies of the
 * public URL are shared by both replicas) that fetches without following redirects through `f`.
 */
function browser(jar, f = fetch) {
  const send = async (url, init = {}) => {
    const origin = new URL(url).origin;
    const headers = { accept: 'text/html', ...(init.headers ?? {}) };
    const cookie = cookieHeader(jar, origin);
    if (cookie) headers.cookie = cookie;
    const response = await f(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    storeCookies(jar, origin, response);
    return response;
  };
  return {
    get: (url, headers) => send(url, { headers }),
    post: (url, form) => send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    }),
  };
}

/** POST /register at `origin`; returns { status, body }. */
async function register(origin, name = 'replicas') {
  const response = await fetch(`${origin}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: name, redirect_uris: [CB] }),
    signal: AbortSignal.timeout(10_000),
  });
  const raw = await response.text();
  let body;
  try { body = JSON.parse(raw); } catch { body = raw; }
  return { status: response.status, body, headers: response.headers };
}

async function registerClient(origin) {
  const { status, body } = await register(origin);
  assert.equal(status, 201, JSON.stringify(body));
  return body.client_id;
}

function authorizeUrl(base, clientId, pkce, state = 'st') {
  const url = new URL(`${base}/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: CB, scope: SCOPE, state,
    code_challenge: pkce.challenge, code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

/** POST /token at `origin` with `params` (form); returns { status, body, text }. */
async function token(origin, params) {
  const response = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
    signal: AbortSignal.timeout(10_000),
  });
  const raw = await response.text();
  let body;
  try { body = JSON.parse(raw); } catch { body = undefined; }
  return { status: response.status, body, text: raw, headers: response.headers };
}

const redeem = (origin, clientId, flow) => token(origin, {
  grant_type: 'authorization_code', code: flow.code, code_verifier: flow.verifier, client_id: clientId, redirect_uri: CB,
});

/** The consent form of a consent page: { action, txn, csrf }, or undefined. */
function consentForm(html) {
  const form = parseForms(html).find((f) => f.buttons.some((b) => b.name === 'decision'));
  if (!form) return undefined;
  const hidden = Object.fromEntries(form.hidden);
  return { action: form.action, txn: hidden.txn, csrf: hidden.csrf };
}

/**
 * A sign-in by hand, as `user`, up to the consent page: GET /authorize through `showOn`.
 * Returns { jar, pkce, form } with the form's action resolved against the public URL.
 */
async function toConsent(cluster, clientId, { showOn, state = 'st' } = {}) {
  const jar = new Map();
  const pkce = pkcePair();
  const f = showOn ? via(cluster.base, showOn) : fetch;
  const page = await browser(jar, f).get(authorizeUrl(cluster.base, clientId, pkce, state));
  const html = await page.text();
  assert.equal(page.status, 200, html);
  const form = consentForm(html);
  assert.ok(form?.txn, `a consent form: ${html.slice(0, 500)}`);
  form.action = new URL(form.action || '/authorize/consent', `${cluster.base}/authorize`).href;
  return { jar, pkce, form };
}

/** Approves the consent (through `on`) and logs in at the tenant; stops at the proxy's callback. */
async function toCallback(cluster, consent, { on, user = 'alice' } = {}) {
  const f = on ? via(cluster.base, on) : fetch;
  const sent = await browser(consent.jar, f).post(consent.form.action, {
    txn: consent.form.txn, csrf: consent.form.csrf, decision: 'approve',
  });
  assert.equal(sent.status, 303, await sent.text());
  const atTenant = sent.headers.get('location');
  assert.ok(atTenant.startsWith(`${cluster.fake.origin}/authorize?`), atTenant);
  const result = await cluster.fake.loginAs(atTenant, user, { jar: consent.jar, stopAt: `${cluster.base}/oauth/callback` });
  assert.ok(result.url.startsWith(`${cluster.base}/oauth/callback?`), result.steps.join('\n'));
  // The browser's cookies for the public URL now, as the callback request carries them.
  return { url: result.url, cookie: cookieHeader(consent.jar, cluster.base) };
}

/** GET the callback (through `on`) with the browser's cookies; no redirect followed. */
function callbackOn(cluster, replica, callback) {
  return fetch(at(cluster.base, replica.local, callback.url), {
    redirect: 'manual', headers: { accept: 'text/html', cookie: callback.cookie ?? '' },
    signal: AbortSignal.timeout(10_000),
  });
}

/** The code a 303 of the callback carries back to the client (asserts it). */
function codeFrom(cluster, response) {
  assert.equal(response.status, 303);
  const back = new URL(response.headers.get('location'));
  assert.equal(`${back.origin}${back.pathname}`, CB);
  assert.equal(back.searchParams.get('iss'), cluster.base);
  const code = back.searchParams.get('code');
  assert.ok(code, back.href);
  return code;
}

/** A whole sign-in by hand through the balancer; returns { code, verifier }. */
async function codeFor(cluster, clientId, user = 'alice') {
  const consent = await toConsent(cluster, clientId);
  const callback = await toCallback(cluster, consent, { user });
  const response = await fetch(callback.url, { redirect: 'manual', headers: { cookie: callback.cookie ?? '' } });
  return { code: codeFrom(cluster, response), verifier: consent.pkce.verifier };
}

/** An access token for `user`, signed in by hand through the balancer. */
async function accessToken(cluster, user) {
  const clientId = await registerClient(cluster.base);
  const flow = await codeFor(cluster, clientId, user);
  const issued = await redeem(cluster.base, clientId, flow);
  assert.equal(issued.status, 200, issued.text);
  assert.ok(issued.body.access_token);
  return issued.body.access_token;
}

/**
 * POST one JSON-RPC message to `origin`/mcp (2025 era). Returns { status, headers, body, text }:
 * `body` is the JSON answer (or the last JSON-RPC message of an SSE answer).
 */
async function mcp(origin, message, { accessToken: bearer, session, version = '2025-11-25' } = {}) {
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (session) headers['mcp-session-id'] = session;
  if (version && message.method !== 'initialize') headers['mcp-protocol-version'] = version;
  const response = await fetch(`${origin}/mcp`, {
    method: 'POST', headers, body: JSON.stringify(message), signal: AbortSignal.timeout(10_000),
  });
  const raw = await response.text();
  let body;
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const messages = raw.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).filter(Boolean);
    body = messages.length ? JSON.parse(messages.at(-1)) : undefined;
  } else if (raw) {
    try { body = JSON.parse(raw); } catch { body = undefined; }
  }
  return { status: response.status, headers: response.headers, body, text: raw };
}

const INITIALIZE = {
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'replicas', version: '1' } },
};
const INITIALIZED = { jsonrpc: '2.0', method: 'notifications/initialized' };
const callTool = (id, name, args = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

/** Opens a 2025 session on `origin`; returns its id. */
async function openSession(origin, bearer) {
  const opened = await mcp(origin, INITIALIZE, { accessToken: bearer });
  assert.equal(opened.status, 200, opened.text);
  assert.equal(opened.body?.result?.protocolVersion, '2025-11-25', opened.text);
  const session = opened.headers.get('mcp-session-id');
  assert.ok(session, 'initialize handed out an Mcp-Session-Id');
  const done = await mcp(origin, INITIALIZED, { accessToken: bearer, session });
  assert.equal(done.status, 202, done.text);
  return session;
}

const toolText = (answer) => (answer.body?.result?.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');

describe('two auth0_proxy replicas sharing one Redis behind a round-robin balancer', { timeout: 180_000 }, () => {
  let cluster;

  before(async () => {
    cluster = await startCluster({ MCP_REDIS_PREFIX: PREFIX });
  });

  after(async () => {
    await cluster?.stop();
  });

  it('two replicas behind a round-robin balancer share sign-ins, codes and sessions', { timeout: 60_000 }, async (t) => {
    const { lb, fake, base, redis } = cluster;
    // Both replicas say where their shared state lives (the URL, no password).
    for (const { server } of cluster.replicas) {
      const { match, out } = await waitForOutput(server, /Shared state:.*Redis at (redis:\/\/\S+)/);
      assert.ok(match, `no "Shared state: ... Redis at" line in the banner:\n${out}`);
      assert.equal(match[1].replace(/[/.,;)]+$/, ''), redis.url);
      assert.doesNotMatch(out, /this process's memory/);
    }

    const mcpUrl = `${base}/mcp`;
    const from = lb.log.length;
    const alice = await signIn(mcpUrl, fake, 'alice', { fetch: freshFetch }, { fetch: freshFetch });
    try {
      const info = await alice.client.callTool({ name: 'get-user-info', arguments: {} });
      assert.equal(info.structuredContent.userId, 'auth0|alice');
      assert.deepEqual(info.structuredContent.permissions, ['read:data', 'delete:documents']);
      const listed = await alice.client.callTool({ name: 'list-documents', arguments: {} });
      assert.notEqual(listed.isError, true, text(listed));
      assert.match(text(listed), /doc-1/);
      const deleted = await alice.client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-1' } });
      assert.equal(deleted.isError, undefined, text(deleted));
      assert.match(text(deleted), /Document deleted: doc-1/);
    } finally {
      await alice.client.close();
    }

    // Where the steps of alice's sign-in landed: not all on one replica.
    const seen = lb.log.slice(from);
    const route = seen.map((e) => `${e.backend} ${e.line ?? '(no request)'}`).join('\n');
    const step = (re) => {
      const entry = seen.find((e) => re.test(e.line ?? ''));
      assert.ok(entry, `no ${re} through the balancer:\n${route}`);
      return entry;
    };
    const steps = [
      step(/^POST \/register /),
      step(/^GET \/authorize\?/),
      step(/^POST \/authorize\/consent /),
      step(/^GET \/oauth\/callback\?/),
      step(/^POST \/token /),
    ];
    assert.equal(new Set(steps.map((e) => e.backend)).size, 2, `every step of the sign-in on one replica:\n${route}`);
    t.diagnostic(`sign-in steps by replica port: ${steps.map((e) => `${e.line.split(/[ ?]/).slice(0, 2).join(' ')} -> ${e.backend}`).join(', ')}`);
    // The session's requests (initialize, then the tool calls) were spread over both replicas too.
    const mcpPosts = seen.filter((e) => /^POST \/mcp /.test(e.line ?? '') && e.n > steps[4].n);
    assert.equal(new Set(mcpPosts.map((e) => e.backend)).size, 2, `the session stayed on one replica:\n${route}`);

    // bob, through the balancer the same way: reads, and is refused the deletion.
    const bob = await signIn(mcpUrl, fake, 'bob', { fetch: freshFetch }, { fetch: freshFetch });
    try {
      const listed = await bob.client.callTool({ name: 'list-documents', arguments: {} });
      assert.match(text(listed), /doc-2/);
      const denied = await bob.client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-2' } });
      assert.equal(denied.isError, true);
      assert.equal(text(denied), 'Forbidden: requires delete:documents');
    } finally {
      await bob.client.close();
    }

    // Every key the replicas wrote carries MCP_REDIS_PREFIX.
    const keys = await redis.command('KEYS', '*');
    assert.ok(keys.length > 0, 'the replicas keep their state in Redis');
    const stray = keys.filter((k) => !k.startsWith(PREFIX));
    assert.deepEqual(stray, [], `keys without the prefix ${PREFIX}`);
  });

  it('a replayed code and a replayed state are refused on the other replica', { timeout: 60_000 }, async () => {
    const [A, B] = cluster.replicas;
    const clientId = await registerClient(A.local);

    // The consent page from A, the consent to B (B keeps the pending state), the callback on B.
    const consent = await toConsent(cluster, clientId, { showOn: A });
    const callback = await toCallback(cluster, consent, { on: B });
    const finished = await callbackOn(cluster, B, callback);
    const code = codeFrom(cluster, finished);

    // The same callback URL with the same cookies, on A: the state was used. A page, no code.
    const replayed = await callbackOn(cluster, A, callback);
    const replayedPage = await replayed.text();
    assert.equal(replayed.status, 400, replayedPage);
    assert.equal(replayed.headers.get('location'), null, 'no redirect, so no code');
    assert.match(replayed.headers.get('content-type') ?? '', /text\/html/);
    assert.doesNotMatch(replayedPage, /code=/);
    const again = await callbackOn(cluster, B, callback);
    assert.equal(again.status, 400);
    assert.equal(again.headers.get('location'), null);

    // The code on A: a token. The same code on B: invalid_grant (and on A again).
    const flow = { code, verifier: consent.pkce.verifier };
    const first = await redeem(A.local, clientId, flow);
    assert.equal(first.status, 200, first.text);
    assert.ok(first.body.access_token);
    for (const replica of [B, A]) {
      const replay = await redeem(replica.local, clientId, flow);
      assert.equal(replay.status, 400, replay.text);
      assert.equal(replay.body?.error, 'invalid_grant', replay.text);
      assert.equal(replay.body?.access_token, undefined);
    }

    // A fresh code redeemed on both replicas at the same moment: exactly one token.
    const raced = await codeFor(cluster, clientId);
    const answers = await Promise.all([redeem(A.local, clientId, raced), redeem(B.local, clientId, raced)]);
    const tokens = answers.filter((a) => a.status === 200);
    assert.equal(tokens.length, 1, `one token for one code: ${answers.map((a) => `${a.status} ${a.text}`).join(' | ')}`);
    const loser = answers.find((a) => a.status !== 200);
    assert.equal(loser.status, 400, loser.text);
    assert.equal(loser.body?.error, 'invalid_grant', loser.text);
  });

  it('a 2025 session opened on one replica works on the other', { timeout: 60_000 }, async () => {
    const [A, B] = cluster.replicas;
    const alice = await accessToken(cluster, 'alice');
    const bob = await accessToken(cluster, 'bob');

    const session = await openSession(A.local, alice);
    const info = await mcp(B.local, callTool(2, 'get-user-info'), { accessToken: alice, session });
    assert.equal(info.status, 200, info.text);
    assert.equal(info.body?.error, undefined, info.text);
    assert.equal(info.body.result.structuredContent.userId, 'auth0|alice');
    const listed = await mcp(B.local, callTool(3, 'list-documents'), { accessToken: alice, session });
    assert.equal(listed.status, 200, listed.text);
    assert.match(toolText(listed), /doc-2/);
    // And back on A.
    const back = await mcp(A.local, callTool(4, 'get-user-info'), { accessToken: alice, session });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.result.structuredContent.userId, 'auth0|alice');

    // The session belongs to alice on every replica: bob's token with it is 404.
    const stolen = await mcp(B.local, callTool(5, 'get-user-info'), { accessToken: bob, session });
    assert.equal(stolen.status, 404, stolen.text);

    // Ended on B...
    const ended = await fetch(`${B.local}/mcp`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${alice}`, 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
    });
    await ended.body?.cancel();
    assert.ok(ended.status >= 200 && ended.status < 300, `DELETE on B: ${ended.status}`);
    // ... it is gone on A (and on B).
    for (const replica of [A, B]) {
      const gone = await mcp(replica.local, callTool(6, 'get-user-info'), { accessToken: alice, session });
      assert.equal(gone.status, 404, `${replica.local}: ${gone.text}`);
    }
  });
});

describe('Redis lost while the replicas run', { timeout: 180_000 }, () => {
  let cluster;

  before(async () => {
    cluster = await startCluster();
  });

  after(async () => {
    await cluster?.stop();
  });

  it('Redis stopped in the middle fails closed and recovers without a restart', { timeout: 60_000 }, async (t) => {
    const { redis, fake, base } = cluster;
    const [A, B] = cluster.replicas;
    for (const { server } of cluster.replicas) {
      const { match, out } = await waitForOutput(server, /Shared state:.*Redis at/);
      assert.ok(match, out);
    }

    // Signed in (SDK, through the balancer), with a session open by hand on A.
    const first = await signIn(`${base}/mcp`, fake, 'alice', { fetch: freshFetch }, { fetch: freshFetch });
    const bearer = first.provider.store.tokens.access_token;
    await first.client.close();
    const session = await openSession(A.local, bearer);
    const working = await mcp(B.local, callTool(2, 'get-user-info'), { accessToken: bearer, session });
    assert.equal(working.status, 200, working.text);

    // Held across the outage: a consent page not yet answered, a callback not yet visited, and
    // a fresh code not yet redeemed.
    const clientId = await registerClient(base);
    const heldConsent = await toConsent(cluster, clientId);
    const heldCallback = await toCallback(cluster, await toConsent(cluster, clientId));
    const heldCode = await codeFor(cluster, clientId);

    await redis.stop();

    for (const replica of [A, B]) {
      const where = replica.local;
      // /token: 503 temporarily_unavailable, no token.
      const exchanged = await redeem(where, clientId, heldCode);
      assert.equal(exchanged.status, 503, `${where} /token: ${exchanged.status} ${exchanged.text}`);
      assert.equal(exchanged.body?.error, 'temporarily_unavailable', exchanged.text);
      assert.equal(exchanged.body?.access_token, undefined, exchanged.text);

      // The session's tool call and a new initialize: 503 with a JSON-RPC error and Retry-After.
      for (const [what, answer] of [
        ['tools/call', await mcp(where, callTool(3, 'get-user-info'), { accessToken: bearer, session })],
        ['initialize', await mcp(where, INITIALIZE, { accessToken: bearer })],
      ]) {
        assert.equal(answer.status, 503, `${where} ${what}: ${answer.status} ${answer.text}`);
        assert.equal(answer.body?.jsonrpc, '2.0', answer.text);
        assert.equal(answer.body?.error?.code, -32603, answer.text);
        assert.equal(answer.body?.result, undefined, answer.text);
        assert.ok(answer.headers.get('retry-after'), `${where} ${what}: no Retry-After`);
      }

      // /authorize, the consent and the callback: a 503 page.
      const authorize = await browser(new Map(), via(base, replica)).get(authorizeUrl(base, clientId, pkcePair()));
      const authorizePage = await authorize.text();
      assert.equal(authorize.status, 503, `${where} /authorize: ${authorizePage.slice(0, 300)}`);
      assert.match(authorize.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(authorize.headers.get('location'), null);

      const consented = await browser(heldConsent.jar, via(base, replica)).post(heldConsent.form.action, {
        txn: heldConsent.form.txn, csrf: heldConsent.form.csrf, decision: 'approve',
      });
      const consentPage = await consented.text();
      assert.equal(consented.status, 503, `${where} /authorize/consent: ${consentPage.slice(0, 300)}`);
      assert.match(consented.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(consented.headers.get('location'), null);

      const called = await callbackOn(cluster, replica, heldCallback);
      const callbackPage = await called.text();
      assert.equal(called.status, 503, `${where} /oauth/callback: ${callbackPage.slice(0, 300)}`);
      assert.match(called.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(called.headers.get('location'), null, 'no code issued');

      // /register: its rate limit lives in Redis.
      const registered = await register(where);
      assert.equal(registered.status, 503, `${where} /register: ${JSON.stringify(registered.body)}`);
    }

    // Redis back on the same port (empty): both replicas recover by themselves.
    await redis.restart();
    const restarted = Date.now();
    for (const replica of [A, B]) {
      let last;
      for (;;) {
        last = await register(replica.local).catch((e) => ({ status: 0, body: String(e) }));
        if (last.status === 201) break;
        assert.notEqual(last.status, 500, `${replica.local} /register answered 500 while recovering`);
        if (Date.now() - restarted > 10_000) {
          assert.fail(`${replica.local} did not recover within 10 s of Redis coming back: ${last.status} ${JSON.stringify(last.body)}`);
        }
        await sleep(300);
      }
    }

    t.diagnostic(`both replicas answered /register again ${Date.now() - restarted} ms after Redis restarted`);

    // A whole new sign-in through the balancer and a tool call work again.
    const again = await signIn(`${base}/mcp`, fake, 'alice', { fetch: freshFetch }, { fetch: freshFetch });
    try {
      const info = await again.client.callTool({ name: 'get-user-info', arguments: {} });
      assert.equal(info.structuredContent.userId, 'auth0|alice');
    } finally {
      await again.client.close();
    }

    // What the empty Redis forgot is refused: the held code (never a token for it), the
    // session, the pending state and the consent request.
    for (const replica of [A, B]) {
      const old = await redeem(replica.local, clientId, heldCode);
      assert.equal(old.status, 400, `${replica.local}: ${old.text}`);
      assert.equal(old.body?.error, 'invalid_grant', old.text);
      assert.equal(old.body?.access_token, undefined);
      const oldSession = await mcp(replica.local, callTool(4, 'get-user-info'), { accessToken: bearer, session });
      assert.equal(oldSession.status, 404, oldSession.text);
      const oldCallback = await callbackOn(cluster, replica, heldCallback);
      await oldCallback.body?.cancel();
      assert.equal(oldCallback.status, 400);
      assert.equal(oldCallback.headers.get('location'), null);
      const oldConsent = await browser(heldConsent.jar, via(base, replica)).post(heldConsent.form.action, {
        txn: heldConsent.form.txn, csrf: heldConsent.form.csrf, decision: 'approve',
      });
      await oldConsent.body?.cancel();
      // 400 (the request is unknown), or 403 if the 503 page cleared the consent cookie.
      assert.ok([400, 403].includes(oldConsent.status), `${replica.local} old consent: ${oldConsent.status}`);
      assert.equal(oldConsent.headers.get('location'), null);
    }
    // The bearer token itself is still good (it is a JWT of the tenant): a new session works.
    const fresh = await openSession(B.local, bearer);
    const works = await mcp(A.local, callTool(5, 'get-user-info'), { accessToken: bearer, session: fresh });
    assert.equal(works.status, 200, works.text);
  });
});

describe('REDIS_URL that reaches nothing', { timeout: 60_000 }, () => {
  let fake;

  before(async () => {
    fake = await startFakeAuth0({ audience: AUDIENCE, clientId: 'regular-web-app', clientSecret: 'regular-web-app-secret' });
  });

  after(async () => {
    await fake?.stop();
  });

  it('REDIS_URL pointing at nothing is a clear start-up error', { timeout: 30_000 }, async (t) => {
    const nothing = await freePort();
    const port = await freePort();
    const password = 'n0t-for-the-log-7d1f';
    const child = spawn(examplePath('auth0_proxy'), [], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        AUTH0_DOMAIN: fake.origin,
        AUTH0_CLIENT_ID: 'regular-web-app',
        AUTH0_CLIENT_SECRET: 'regular-web-app-secret',
        AUTH0_AUDIENCE: AUDIENCE,
        REDIS_URL: `redis://:${password}@127.0.0.1:${nothing}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c) => { output += c; });
    child.stderr.setEncoding('utf8').on('data', (c) => { output += c; });
    const started = Date.now();
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let timer;
    const outcome = await Promise.race([
      exited,
      new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), 15_000); }),
    ]);
    clearTimeout(timer);
    try {
      assert.notEqual(outcome, 'timeout', `still running 15 s after start with REDIS_URL at nothing:\n${output}`);
      assert.equal(outcome.signal, null, `killed by ${outcome.signal}:\n${output}`);
      assert.notEqual(outcome.code, 0, `exited 0:\n${output}`);
      assert.ok(Date.now() - started < 12_000, `took ${Date.now() - started} ms to give up`);
      await sleep(50); // the last buffered output
      assert.match(output, /REDIS_URL/, output);
      t.diagnostic(`exit code ${outcome.code} after ${Date.now() - started} ms: ${output.split('\n').find((l) => l.includes('REDIS_URL'))?.trim()}`);
      assert.ok(!output.includes(password), `the password of REDIS_URL is in the output:\n${output}`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

// Operability: what a developer meets first when they point a client or a web page at a local
// server.
//
// - A loopback server without MCP_PUBLIC_URL answers for `localhost` as well as `127.0.0.1`
//   (same port): its protected resource metadata and its 401 challenge name the resource under
//   the host the client used, and the proxy's /authorize accepts that resource, so the official
//   SDK client (which checks the metadata's `resource` against the URL it was given) signs in
//   through either name. With MCP_PUBLIC_URL, only that URL is named and accepted.
// - MCP_CORS_ORIGINS lets a page on another origin call /mcp from a real browser (headless
//   Chromium, with a real preflight) and read the session id; without it, the browser refuses.
// - An unknown client id: invalid_client at /token, and at /authorize a page that tells the
//   person to go back and connect again (or invalid_client for a client that asks for JSON).
//
// `localhost` must reach the servers, which listen on 127.0.0.1 only: Node resolves it in the
// system's order (`verbatim`), which may put ::1 first. This file sets the default result order
// to `ipv4first` (dns.setDefaultResultOrder) and checks that `localhost` resolves to 127.0.0.1.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { existsSync } from 'node:fs';
import http from 'node:http';

import puppeteer from 'puppeteer-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { memoryProvider, signIn, text } from './lib/oauth-client.mjs';
import { startProxyWithTenant } from './lib/proxy.mjs';
import { startServer } from './lib/server.mjs';

dns.setDefaultResultOrder('ipv4first');

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const NO_CHROMIUM = HAVE_CHROMIUM ? false : `no Chromium at ${CHROMIUM} (set CHROMIUM, or install Debian's chromium)`;

const INITIALIZE = {
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

/** `localhost` resolves to 127.0.0.1 first, where the servers listen. */
async function assertLocalhostIsIpv4() {
  const { address, family } = await dns.promises.lookup('localhost');
  assert.equal(family, 4, `localhost resolves to ${address} first; these tests need 127.0.0.1 (add it to /etc/hosts)`);
  assert.equal(address, '127.0.0.1');
}

/** POST initialize without a token: the 401 challenge's header. */
async function challengeOf(mcpUrl) {
  const response = await fetch(mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify(INITIALIZE),
  });
  await response.body?.cancel();
  assert.equal(response.status, 401);
  return response.headers.get('www-authenticate');
}

async function prmOf(origin) {
  const response = await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`);
  assert.equal(response.status, 200);
  return response.json();
}

/** A client the proxy registered, with one redirect URI. */
async function register(base) {
  const response = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'operability', redirect_uris: ['http://127.0.0.1:9/callback'] }),
  });
  assert.equal(response.status, 201);
  return (await response.json()).client_id;
}

/** GET the proxy's /authorize for `clientId` with `resource`; no redirects followed. */
function authorize(base, clientId, extra = {}, headers = {}) {
  const url = new URL(`${base}/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: 'http://127.0.0.1:9/callback',
    code_challenge: CHALLENGE, code_challenge_method: 'S256', state: 's', ...extra,
  }).toString();
  return fetch(url, { redirect: 'manual', headers });
}

describe('a loopback server without MCP_PUBLIC_URL: localhost and 127.0.0.1', { timeout: 120_000 }, () => {
  let proxy;
  let port;

  before(async () => {
    await assertLocalhostIsIpv4();
    proxy = await startProxyWithTenant(); // no MCP_PUBLIC_URL
    port = proxy.server.port;
  });

  after(async () => {
    await proxy?.stop();
  });

  it('names the resource with the host the client used, in the metadata and the challenge', async () => {
    const viaLocalhost = await prmOf(`http://localhost:${port}`);
    assert.equal(viaLocalhost.resource, `http://localhost:${port}/mcp`);
    // The authorization server is still the proxy's issuer, 127.0.0.1.
    assert.deepEqual(viaLocalhost.authorization_servers, [`http://127.0.0.1:${port}`]);
    const viaIp = await prmOf(`http://127.0.0.1:${port}`);
    assert.equal(viaIp.resource, `http://127.0.0.1:${port}/mcp`);

    assert.match(await challengeOf(`http://localhost:${port}/mcp`),
      new RegExp(`resource_metadata="http://localhost:${port}/\\.well-known/oauth-protected-resource/mcp"`));
    assert.match(await challengeOf(`http://127.0.0.1:${port}/mcp`),
      new RegExp(`resource_metadata="http://127\\.0\\.0\\.1:${port}/\\.well-known/oauth-protected-resource/mcp"`));
  });

  it('/authorize accepts the resource under localhost, not under another port', async () => {
    const clientId = await register(proxy.local);
    const ok = await authorize(proxy.local, clientId, { resource: `http://localhost:${port}/mcp` });
    const page = await ok.text();
    assert.equal(ok.status, 200, page);
    assert.match(page, /name="txn"/, 'the consent page');
    const otherPort = await authorize(proxy.local, clientId, { resource: `http://localhost:${port + 1}/mcp` });
    assert.equal(otherPort.status, 400);
    assert.match(await otherPort.text(), /invalid_target/);
  });

  for (const host of ['localhost', '127.0.0.1']) {
    it(`alice signs in with the SDK client through http://${host}:PORT/mcp and calls tools`, async () => {
      const mcpUrl = `http://${host}:${port}/mcp`;
      const { client, provider } = await signIn(mcpUrl, proxy.fake, 'alice');
      try {
        assert.equal(provider.store.authorizationUrl.searchParams.get('resource'), mcpUrl,
          'the SDK asked for the resource as it reached it');
        const info = await client.callTool({ name: 'get-user-info', arguments: {} });
        assert.equal(info.structuredContent.userId, 'auth0|alice');
        const listed = await client.callTool({ name: 'list-documents', arguments: {} });
        assert.notEqual(listed.isError, true, text(listed));
        assert.match(text(listed), /doc-1/);
      } finally {
        await client.close();
      }
    });
  }
});

describe('a loopback server with MCP_PUBLIC_URL=http://127.0.0.1:PORT: that URL only', { timeout: 60_000 }, () => {
  let proxy;
  let port;

  before(async () => {
    await assertLocalhostIsIpv4();
    proxy = await startProxyWithTenant({}, { publicUrl: (p) => `http://127.0.0.1:${p}` });
    port = proxy.server.port;
  });

  after(async () => {
    await proxy?.stop();
  });

  it('names the configured resource to a client on localhost, and refuses the localhost resource', async () => {
    const prm = await prmOf(`http://localhost:${port}`);
    assert.equal(prm.resource, `http://127.0.0.1:${port}/mcp`);
    assert.match(await challengeOf(`http://localhost:${port}/mcp`),
      new RegExp(`resource_metadata="http://127\\.0\\.0\\.1:${port}/\\.well-known/oauth-protected-resource/mcp"`));
    const clientId = await register(proxy.base);
    const refused = await authorize(proxy.base, clientId, { resource: `http://localhost:${port}/mcp` });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /invalid_target/);
    const accepted = await authorize(proxy.base, clientId, { resource: `http://127.0.0.1:${port}/mcp` });
    await accepted.body?.cancel();
    assert.equal(accepted.status, 200);
  });

  it('so the SDK client, given the localhost URL, refuses the metadata', async () => {
    const provider = memoryProvider('configured');
    const client = new Client({ name: 'configured', version: '1.0.0' });
    await assert.rejects(
      client.connect(new StreamableHTTPClientTransport(new URL(`http://localhost:${port}/mcp`), { authProvider: provider })),
      /does not match/,
    );
    assert.equal(provider.store.authorizationUrl, undefined);
  });
});

/** A tiny page server on 127.0.0.1: its origin is the page's. */
async function startPageServer() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>CORS</title><p>cross-origin page</p>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/**
 * From a page of `pageOrigin` in `browser`, POSTs initialize to `mcpUrl` with fetch; records the
 * preflight Chromium sends (CDP Network events). Returns { outcome, preflights }.
 */
async function fetchFromPage(browser, pageOrigin, mcpUrl, extraHeaders = {}) {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    const preflights = [];
    cdp.on('Network.requestWillBeSent', (event) => {
      if (event.request.method === 'OPTIONS' && event.request.url === mcpUrl) preflights.push(event.request);
    });
    await page.goto(`${pageOrigin}/`, { waitUntil: 'load' });
    const outcome = await page.evaluate(async (url, body, extra) => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2025-11-25',
            ...extra,
          },
          body,
        });
        return {
          ok: true,
          status: response.status,
          sessionId: response.headers.get('mcp-session-id'),
          wwwAuthenticate: response.headers.get('www-authenticate'),
          body: await response.text(),
        };
      } catch (error) {
        return { ok: false, name: error.name, message: error.message };
      }
    }, mcpUrl, JSON.stringify(INITIALIZE), extraHeaders);
    return { outcome, preflights };
  } finally {
    await context.close();
  }
}

/** A raw preflight for POST /mcp from `origin`. */
async function preflight(mcpUrl, origin) {
  const response = await fetch(mcpUrl, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,mcp-protocol-version',
    },
  });
  await response.body?.cancel();
  return response;
}

describe('CORS on /mcp (MCP_CORS_ORIGINS) with a real browser preflight', { timeout: 90_000 }, () => {
  let pages;
  let allowed; // hello with MCP_CORS_ORIGINS naming the page's origin
  let closed; // hello without MCP_CORS_ORIGINS
  let browser;

  before(async () => {
    pages = await startPageServer();
    allowed = await startServer('hello', { MCP_CORS_ORIGINS: `https://app.example.com, ${pages.origin}` });
    closed = await startServer('hello', { MCP_CORS_ORIGINS: '' });
    if (HAVE_CHROMIUM) {
      browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    }
  });

  after(async () => {
    await browser?.close();
    await allowed?.stop();
    await closed?.stop();
    await pages?.stop();
  });

  it('answers the preflight of a configured origin, and not of another', async () => {
    const ok = await preflight(allowed.url, pages.origin);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), pages.origin);
    const allowedHeaders = (ok.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    assert.match(allowedHeaders, /content-type/);
    assert.match(allowedHeaders, /mcp-protocol-version/);
    assert.match(ok.headers.get('access-control-allow-methods') ?? '', /POST/);

    const other = await preflight(allowed.url, 'http://127.0.0.1:1');
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const off = await preflight(closed.url, pages.origin);
    assert.equal(off.headers.get('access-control-allow-origin'), null);
  });

  it('a page of a configured origin initializes and reads the session id', { skip: NO_CHROMIUM }, async () => {
    const { outcome, preflights } = await fetchFromPage(browser, pages.origin, allowed.url);
    assert.equal(outcome.ok, true, `the fetch failed: ${outcome.name}: ${outcome.message}`);
    assert.equal(outcome.status, 200, outcome.body);
    assert.match(outcome.body, /"serverInfo"/);
    assert.match(outcome.body, /"name":"hello"/);
    assert.ok(outcome.sessionId, 'mcp-session-id is exposed to the page');
    assert.equal(preflights.length, 1, 'Chromium sent a preflight');
  });

  it('without MCP_CORS_ORIGINS, the browser refuses the page the same request', { skip: NO_CHROMIUM }, async () => {
    const { outcome, preflights } = await fetchFromPage(browser, pages.origin, closed.url);
    assert.equal(outcome.ok, false, `the fetch succeeded: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.name, 'TypeError');
    assert.equal(outcome.message, 'Failed to fetch');
    assert.equal(preflights.length, 1, 'Chromium sent a preflight');
  });
});

describe('CORS on the proxy\'s /mcp (MCP_CORS_ORIGINS) with a real browser preflight', { timeout: 120_000 }, () => {
  let pages;
  let proxy;
  let browser;

  before(async () => {
    pages = await startPageServer();
    proxy = await startProxyWithTenant({ MCP_CORS_ORIGINS: pages.origin });
    if (HAVE_CHROMIUM) {
      browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    }
  });

  after(async () => {
    await browser?.close();
    await proxy?.stop();
    await pages?.stop();
  });

  it('a page reads the 401 challenge, then initializes with a token and reads the session id', { skip: NO_CHROMIUM }, async () => {
    const challenged = await fetchFromPage(browser, pages.origin, proxy.server.url);
    assert.equal(challenged.outcome.ok, true, `the fetch failed: ${challenged.outcome.message}`);
    assert.equal(challenged.outcome.status, 401);
    assert.match(challenged.outcome.wwwAuthenticate ?? '', /^Bearer resource_metadata="/, 'WWW-Authenticate is exposed');
    assert.equal(challenged.preflights.length, 1, 'Chromium sent a preflight');

    const { client, provider } = await signIn(proxy.server.url, proxy.fake, 'alice');
    await client.close();
    const { outcome } = await fetchFromPage(browser, pages.origin, proxy.server.url, {
      authorization: `Bearer ${provider.store.tokens.access_token}`,
    });
    assert.equal(outcome.ok, true, `the fetch failed: ${outcome.message}`);
    assert.equal(outcome.status, 200, outcome.body);
    assert.match(outcome.body, /"serverInfo"/);
    assert.ok(outcome.sessionId, 'mcp-session-id is exposed to the page');
  });

  it('a page of another origin is refused by the browser', { skip: NO_CHROMIUM }, async () => {
    // The same page server, reached as localhost: another origin.
    const other = pages.origin.replace('127.0.0.1', 'localhost');
    const { outcome } = await fetchFromPage(browser, other, proxy.server.url);
    assert.equal(outcome.ok, false, `the fetch succeeded: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.message, 'Failed to fetch');
  });
});

describe('an unknown client id at the proxy', { timeout: 60_000 }, () => {
  let proxy;

  before(async () => {
    proxy = await startProxyWithTenant();
  });

  after(async () => {
    await proxy?.stop();
  });

  it('/token answers 401 invalid_client', async () => {
    const response = await fetch(`${proxy.local}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'mcp.bogus.x', grant_type: 'authorization_code', code: 'x', code_verifier: 'y' }),
    });
    assert.equal(response.status, 401);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const body = await response.json();
    assert.equal(body.error, 'invalid_client', JSON.stringify(body));
  });

  it('/authorize shows a person a page that says to connect again', async () => {
    const response = await authorize(proxy.local, 'mcp.bogus.x', {}, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await response.text(), /connect again/);
  });

  it('/authorize answers a client that asks for JSON with invalid_client', async () => {
    const response = await authorize(proxy.local, 'mcp.bogus.x', {}, { accept: 'application/json' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const body = await response.json();
    assert.equal(body.error, 'invalid_client', JSON.stringify(body));
  });
});

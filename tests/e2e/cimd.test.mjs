// Client ID Metadata Documents (CIMD) in the `auth0_proxy` example: a client names itself by
// the https URL of a JSON document that describes it, instead of registering. The documents
// are served here, over https with the test-only certificate of fixtures/cimd/ (which the
// proxy trusts through MCP_CLIENT_METADATA_CA_FILE), and the official TypeScript SDK client
// signs in with its `clientMetadataUrl`, through the fake Auth0 tenant.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';

import { CLIENT_CALLBACK, signIn, text } from './lib/oauth-client.mjs';
import { E2E_DIR, freePort } from './lib/server.mjs';
import { startProxyWithTenant } from './lib/proxy.mjs';

const FIXTURES = path.join(E2E_DIR, 'fixtures', 'cimd');
const CA_FILE = path.join(FIXTURES, 'cert.pem');
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const HUGE_BYTES = 5 * 1024 * 1024;

/**
 * An https server on 127.0.0.1 that serves client metadata documents and counts the
 * requests for each path.
 */
async function startMetadataHost() {
  const port = await freePort();
  const origin = `https://127.0.0.1:${port}`;
  const hits = new Map();
  const valid = (name, clientName, redirectUris = [CLIENT_CALLBACK]) => ({
    client_id: `${origin}/${name}`,
    client_name: clientName,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  });
  const documents = {
    '/alice.json': valid('alice.json', 'CIMD Alice App'),
    '/bob.json': valid('bob.json', 'CIMD Bob App'),
    '/mismatch.json': { ...valid('mismatch.json', 'Mismatch'), client_id: `${origin}/someone-else.json` },
    '/foreign.json': valid('foreign.json', 'Foreign', ['https://evil.example/cb']),
  };
  const server = https.createServer({
    key: readFileSync(path.join(FIXTURES, 'key.pem')),
    cert: readFileSync(CA_FILE),
  }, (req, res) => {
    const { pathname } = new URL(req.url, origin);
    hits.set(pathname, (hits.get(pathname) ?? 0) + 1);
    res.on('error', () => {});
    if (pathname === '/huge.json') {
      // 5 MB of valid JSON, streamed without a Content-Length: the proxy must stop reading.
      res.writeHead(200, { 'content-type': 'application/json' });
      const head = JSON.stringify(valid('huge.json', 'Huge')).slice(0, -1) + ',"padding":"';
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      res.write(head);
      const pump = () => {
        while (sent < HUGE_BYTES) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end('"}');
      };
      res.socket?.on('close', () => { sent = HUGE_BYTES; });
      pump();
      return;
    }
    const doc = documents[pathname];
    if (!doc) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
    res.end(JSON.stringify(doc));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    origin,
    url: (p) => `${origin}${p}`,
    hits: (p) => hits.get(p) ?? 0,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

/** The text a person reads on one of the proxy's pages (its body, without the tags). */
function pageText(html) {
  const body = html.match(/<body[^>]*>([\s\S]*)<\/body>/i)?.[1] ?? html;
  return body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
}

/** A fetch that records every request's method and URL in `log`. */
function recordingFetch(log) {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    log.push(`${init?.method ?? (input instanceof Request ? input.method : 'GET')} ${url}`);
    return fetch(input, init);
  };
}

describe('auth0_proxy: clients named by Client ID Metadata Documents', { timeout: 120_000 }, () => {
  let host;
  let fake;
  let server;
  let base;

  before(async () => {
    host = await startMetadataHost();
    ({ fake, server, base } = await startProxyWithTenant({ MCP_CLIENT_METADATA_CA_FILE: CA_FILE }));
  });

  after(async () => {
    await server?.stop();
    await fake?.stop();
    await host?.stop();
  });

  /** `GET /authorize` for `clientId`, as a browser would send it, not following redirects. */
  async function authorize(clientId, redirectUri = CLIENT_CALLBACK) {
    const url = new URL(`${base}/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code', client_id: clientId, redirect_uri: redirectUri,
      code_challenge: CHALLENGE, code_challenge_method: 'S256', state: 'x',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    const html = await response.text();
    return { status: response.status, location: response.headers.get('location'), html, text: pageText(html) };
  }

  /** Asserts a refusal page at /authorize: status 400, no redirect, and `pattern` in the text. */
  async function assertRefused(clientId, pattern, redirectUri) {
    const page = await authorize(clientId, redirectUri);
    const what = `GET /authorize client_id=${clientId} -> ${page.status} ${page.location ?? ''}: ${page.text.slice(0, 1000)}`;
    assert.equal(page.status, 400, what);
    assert.equal(page.location, null, what);
    assert.match(page.text, pattern, what);
  }

  it('says in its metadata that it supports client ID metadata documents', async () => {
    const metadata = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
    assert.equal(metadata.client_id_metadata_document_supported, true, JSON.stringify(metadata));
  });

  it('alice signs in with a metadata document URL as client_id, without registering, and deletes a document', async () => {
    const docUrl = host.url('/alice.json');
    const sdkRequests = [];
    const consentPages = [];
    // The browser's fetch, keeping the proxy's consent page.
    const browserFetch = async (url, init) => {
      const response = await fetch(url, init);
      if (String(url).startsWith(`${base}/authorize?`) && response.status === 200) {
        consentPages.push(await response.clone().text());
      }
      return response;
    };
    const { client, provider, result } = await signIn(server.url, fake, 'alice',
      { proxyOrigin: base, fetch: browserFetch },
      { clientMetadataUrl: docUrl, fetch: recordingFetch(sdkRequests) });
    assert.equal(result.iss, base);
    assert.equal(provider.store.authorizationUrl.searchParams.get('client_id'), docUrl);
    assert.equal(provider.store.client.client_id, docUrl, 'the client id is the document URL');
    assert.equal(provider.store.client.client_secret, undefined);
    assert.ok(sdkRequests.some((r) => r.startsWith(`POST ${base}/token`)), sdkRequests.join('\n'));
    assert.ok(!sdkRequests.some((r) => r.includes('/register')), `the SDK did not register:\n${sdkRequests.join('\n')}`);
    assert.ok(host.hits('/alice.json') >= 1, 'the proxy fetched the document');
    // The consent page names the application and the host of its document.
    assert.equal(consentPages.length, 1, 'one consent page was shown');
    assert.match(consentPages[0], /CIMD Alice App/);
    assert.match(consentPages[0].replaceAll(CLIENT_CALLBACK, ''), /127\.0\.0\.1/, 'the page shows the document\'s host');

    const info = await client.callTool({ name: 'get-user-info', arguments: {} });
    assert.equal(info.structuredContent.userId, 'auth0|alice');
    const deleted = await client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-1' } });
    assert.equal(deleted.isError, undefined, text(deleted));
    assert.match(text(deleted), /Document deleted: doc-1/);
    await client.close();
  });

  it('does not fetch the document again within its max-age', async () => {
    const before = host.hits('/alice.json');
    assert.ok(before >= 1, 'alice signed in before');
    const page = await authorize(host.url('/alice.json'));
    assert.equal(page.status, 200, page.text.slice(0, 1000));
    assert.match(page.text, /CIMD Alice App/);
    assert.equal(host.hits('/alice.json'), before, 'served from the cache (Cache-Control: max-age=300)');
  });

  it('bob signs in with his document and is denied the deletion', async () => {
    const docUrl = host.url('/bob.json');
    const sdkRequests = [];
    const { client, provider } = await signIn(server.url, fake, 'bob',
      { proxyOrigin: base },
      { clientMetadataUrl: docUrl, fetch: recordingFetch(sdkRequests) });
    assert.equal(provider.store.authorizationUrl.searchParams.get('client_id'), docUrl);
    assert.ok(!sdkRequests.some((r) => r.includes('/register')), sdkRequests.join('\n'));
    assert.ok(host.hits('/bob.json') >= 1, 'the proxy fetched the document');
    const listed = await client.callTool({ name: 'list-documents', arguments: {} });
    assert.match(text(listed), /doc-2/);
    const denied = await client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-2' } });
    assert.equal(denied.isError, true);
    assert.equal(text(denied), 'Forbidden: requires delete:documents');
    await client.close();
  });

  it('refuses a redirect URI that the document does not list', async () => {
    await assertRefused(host.url('/foreign.json'), /the redirect_uri is not one this client registered\./i);
    assert.ok(host.hits('/foreign.json') >= 1, 'the proxy fetched the document');
  });

  it('refuses a document that names another client_id', async () => {
    await assertRefused(host.url('/mismatch.json'), /names another client_id/i);
    assert.ok(host.hits('/mismatch.json') >= 1, 'the proxy fetched the document');
  });

  it('refuses a document larger than the cap', async () => {
    await assertRefused(host.url('/huge.json'), /larger than/i);
    assert.ok(host.hits('/huge.json') >= 1, 'the proxy fetched the document');
  });

  it('refuses a client_id URL that is not https', async () => {
    // "https" as a word, not the scheme of a URL the page may quote.
    await assertRefused('http://example.com/client.json', /\bhttps\b(?!:\/\/)/i);
  });

  it('refuses to fetch from the cloud metadata address', async () => {
    await assertRefused('https://169.254.169.254/client.json', /does not fetch from/i);
  });

  it('answers invalid_client at /token for a document it cannot get', async () => {
    const closed = await freePort();
    for (const clientId of [host.url('/missing.json'), `https://127.0.0.1:${closed}/client.json`]) {
      const response = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code', code: 'no-such-code', code_verifier: 'v'.repeat(43),
          redirect_uri: CLIENT_CALLBACK, client_id: clientId,
        }),
      });
      const raw = await response.text();
      const what = `POST /token client_id=${clientId} -> ${response.status}\n${raw}`;
      assert.equal(response.status, 401, what);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/, what);
      assert.equal(JSON.parse(raw).error, 'invalid_client', what);
    }
  });
});

// The hardening of `auth0_proxy`, end to end, in front of the fake Auth0 tenant (a real
// oidc-provider configured like Auth0): remembered consent per client, redirect URI and
// permissions under a `__Host-` cookie over https; two sign-ins at once in one browser;
// /token and the redirect_uri; refresh tokens sealed to their client and no id_token;
// the redirect URI allow list and clean client names at /register; an oversized `state`.
//
// The browser is played by hand (fetch with a cookie jar) or by `loginAs`, so that each test
// can see the exact statuses, pages and cookies a browser would.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { cookieHeader, parseForms, pkcePair, storeCookies } from './lib/fake-auth0.mjs';
import { startProxyWithTenant } from './lib/proxy.mjs';

const CB = 'http://127.0.0.1:9/cb'; // never contacted: the browser stops at the redirect
const ATTACKER_CB = 'http://127.0.0.1:9/attacker';

/** POST /register with `metadata`; returns { status, body }. */
async function register(local, metadata) {
  const response = await fetch(`${local}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });
  return { status: response.status, body: await response.json() };
}

/** A registered client's id (the registration must succeed). */
async function registerClient(local, redirectUris, name = 'hardening') {
  const { status, body } = await register(local, { client_name: name, redirect_uris: redirectUris });
  assert.equal(status, 201, JSON.stringify(body));
  return body.client_id;
}

/**
 * The proxy's /authorize URL at `base`. `pkce` is a pkcePair() or null (no PKCE at all);
 * `redirect_uri: null` leaves it out.
 */
function authorizeUrl(base, { clientId, redirectUri = CB, scope = 'read:data', state = 'st', pkce }) {
  const url = new URL(`${base}/authorize`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  if (redirectUri !== null) url.searchParams.set('redirect_uri', redirectUri);
  if (scope) url.searchParams.set('scope', scope);
  url.searchParams.set('state', state);
  if (pkce) {
    url.searchParams.set('code_challenge', pkce.challenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.href;
}

/** POST /token with `params` (form); returns { status, body }. */
async function token(local, params) {
  const response = await fetch(`${local}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return { status: response.status, body: await response.json() };
}

/**
 * A browser with cookie jar `jar` (keyed by origin, as loginAs keeps it) that fetches
 * without following redirects, through `f`.
 */
function browser(jar, f = fetch) {
  const send = async (url, init = {}) => {
    const origin = new URL(url).origin;
    const headers = { accept: 'text/html', ...(init.headers ?? {}) };
    const cookie = cookieHeader(jar, origin);
    if (cookie) headers.cookie = cookie;
    const response = await f(url, { ...init, headers, redirect: 'manual' });
    storeCookies(jar, origin, response);
    return response;
  };
  return {
    get: (url) => send(url),
    post: (url, form) => send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    }),
  };
}

/** The consent form of a consent page: { action, txn, csrf }, or undefined. */
function consentForm(html) {
  const form = parseForms(html).find((f) => f.buttons.some((b) => b.name === 'decision'));
  if (!form) return undefined;
  const hidden = Object.fromEntries(form.hidden);
  return { action: form.action, txn: hidden.txn, csrf: hidden.csrf };
}

/** Signs in through the whole flow; returns loginAs's result and the PKCE verifier. */
async function codeFor(fake, base, { clientId, redirectUri = CB, scope = 'read:data', state = 'st', jar = new Map(), user = 'alice', fetch: f }) {
  const pkce = pkcePair();
  const result = await fake.loginAs(authorizeUrl(base, { clientId, redirectUri, scope, state, pkce }), user, {
    jar, fetch: f, stopAt: redirectUri ?? CB,
  });
  assert.equal(result.error, undefined, `${result.error} ${result.error_description ?? ''}\n${result.steps.join('\n')}`);
  assert.ok(result.code, result.steps.join('\n'));
  return { ...result, verifier: pkce.verifier };
}

describe('auth0_proxy over https (MCP_PUBLIC_URL): the __Host- consent cookie', { timeout: 120_000 }, () => {
  let proxy;
  let base; // https://localhost:<port>, what the browser sees
  let local; // http://127.0.0.1:<port>, where the proxy listens
  const setCookies = []; // every Set-Cookie the proxy sent the browser, in order

  // The browser's fetch: nothing listens with TLS, so a request to the https public URL goes
  // to the proxy's plain http port; the jar stays keyed by the https origin, as a browser's.
  const tlsless = async (url, init) => {
    const href = String(url);
    const ours = href === base || href.startsWith(`${base}/`);
    const response = await fetch(ours ? local + href.slice(base.length) : href, init);
    if (ours) setCookies.push(...response.headers.getSetCookie());
    return response;
  };

  before(async () => {
    proxy = await startProxyWithTenant({}, { publicUrl: (port) => `https://localhost:${port}` });
    ({ base, local } = proxy);
  });

  after(async () => {
    await proxy?.stop();
  });

  it('names its https public URL as issuer', async () => {
    const metadata = await (await fetch(`${local}/.well-known/oauth-authorization-server`)).json();
    assert.equal(metadata.issuer, base);
    assert.equal(metadata.authorization_endpoint, `${base}/authorize`);
  });

  it('remembered consent is per client, redirect URI and permissions (https, __Host- cookie)', async () => {
    const { fake } = proxy;
    // One client registers two redirect URIs: its own (CB) and one an attacker controls.
    const clientId = await registerClient(local, [CB, ATTACKER_CB]);
    const jar = new Map();
    const page = browser(jar, tlsless);

    // The first sign-in shows the consent page; Allow sets the remembered consent.
    const first = await codeFor(fake, base, { clientId, state: 'first', jar, fetch: tlsless });
    assert.equal(first.state, 'first');
    assert.equal(first.iss, base);
    assert.match(first.steps[0], /^GET https:\/\/localhost:\d+\/authorize\?.* -> 200$/);
    assert.ok(first.steps.some((s) => /^POST https:\/\/localhost:\d+\/authorize\/consent -> 303$/.test(s)), first.steps.join('\n'));
    const consentCookie = setCookies.find((c) => c.startsWith('__Host-mcp_consent='));
    assert.ok(consentCookie, `no __Host-mcp_consent among:\n${setCookies.join('\n')}`);
    assert.match(consentCookie, /; Secure(;|$)/);
    assert.match(consentCookie, /; Path=\/(;|$)/);
    assert.match(consentCookie, /; HttpOnly(;|$)/);
    assert.doesNotMatch(consentCookie, /; Domain=/i, '__Host- cookies carry no Domain');
    // Over https every cookie of the proxy is __Host- and Secure (the sign-in's too).
    for (const c of setCookies) {
      assert.match(c, /^__Host-mcp_(consent|txn_[\w-]{16}|state_[\w-]{16})=/, c);
      assert.match(c, /; Secure(;|$)/, c);
    }
    assert.ok(setCookies.some((c) => c.startsWith('__Host-mcp_txn_')));
    assert.ok(setCookies.some((c) => c.startsWith('__Host-mcp_state_')));
    assert.ok(jar.get(base).has('__Host-mcp_consent'));
    assert.ok(!jar.get(base).has('mcp_consent'));
    const exchanged = await token(local, {
      grant_type: 'authorization_code', code: first.code, code_verifier: first.verifier, client_id: clientId, redirect_uri: CB,
    });
    assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));

    // (a) The same client, redirect URI and scope: straight to the tenant, no consent page.
    const again = await codeFor(fake, base, { clientId, state: 'again', jar, fetch: tlsless });
    assert.match(again.steps[0], /^GET https:\/\/localhost:\d+\/authorize\?.* -> 303$/, again.steps.join('\n'));
    assert.ok(!again.steps.some((s) => s.includes('/authorize/consent')), again.steps.join('\n'));
    assert.equal(again.state, 'again');
    // The code is good: the flow without a consent page really works.
    const redeemed = await token(local, {
      grant_type: 'authorization_code', code: again.code, code_verifier: again.verifier, client_id: clientId, redirect_uri: CB,
    });
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
    assert.ok(redeemed.body.access_token);

    // (b) The other redirect URI of the same client: the consent page again, naming it.
    const other = await page.get(authorizeUrl(base, { clientId, redirectUri: ATTACKER_CB, pkce: pkcePair() }));
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('location'), null);
    const otherHtml = await other.text();
    assert.ok(consentForm(otherHtml)?.txn, 'a consent form');
    assert.match(otherHtml, /\/attacker/);

    // (c) More permissions than consented to: the consent page again, listing them.
    const more = await page.get(authorizeUrl(base, { clientId, scope: 'read:data delete:documents', pkce: pkcePair() }));
    assert.equal(more.status, 200);
    assert.equal(more.headers.get('location'), null);
    const moreHtml = await more.text();
    assert.ok(consentForm(moreHtml)?.txn, 'a consent form');
    assert.match(moreHtml, /delete:documents/);

    // (d) An error for the redirect URI never consented to is a page here, not a redirect
    // there (no open redirector)...
    const broken = await page.get(authorizeUrl(base, { clientId, redirectUri: ATTACKER_CB, state: 'x', pkce: null }));
    assert.equal(broken.status, 400);
    assert.equal(broken.headers.get('location'), null);
    assert.match(await broken.text(), /PKCE is required/);
    // ... while the same error for the consented redirect URI goes back to the client.
    const brokenOwn = await page.get(authorizeUrl(base, { clientId, state: 'x', pkce: null }));
    assert.equal(brokenOwn.status, 303);
    const back = new URL(brokenOwn.headers.get('location'));
    assert.equal(`${back.origin}${back.pathname}`, CB);
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.equal(back.searchParams.get('state'), 'x');
    assert.equal(back.searchParams.get('iss'), base);

    // The same set of permissions written otherwise (repeated, two spaces) is the consent given: no page.
    const reordered = await page.get(authorizeUrl(base, { clientId, scope: 'read:data  read:data', pkce: pkcePair() }));
    assert.equal(reordered.status, 303, 'the same set of scopes, written otherwise');
    assert.ok(reordered.headers.get('location').startsWith(`${fake.origin}/authorize?`));
  });
});

describe('auth0_proxy over http: sign-ins, /token, refresh tokens, registration, state', { timeout: 120_000 }, () => {
  let proxy;
  let base;
  const upstreamAnswers = []; // the tenant's token answers to the proxy: { grant_type, body }

  before(async () => {
    proxy = await startProxyWithTenant();
    ({ base } = proxy);
    proxy.fake.provider.on('grant.success', (ctx) => {
      upstreamAnswers.push({ grant_type: ctx.oidc.params.grant_type, body: { ...ctx.body } });
    });
  });

  after(async () => {
    await proxy?.stop();
  });

  it('over plain http on loopback the consent cookie is read under the name it was written (mcp_consent)', async () => {
    const { fake } = proxy;
    const clientId = await registerClient(base, [CB]);
    const jar = new Map();
    const first = await codeFor(fake, base, { clientId, jar });
    assert.ok(first.steps.some((s) => s.startsWith(`POST ${base}/authorize/consent`)), first.steps.join('\n'));
    assert.ok(jar.get(base)?.has('mcp_consent'), `the consent cookie: ${[...(jar.get(base)?.keys() ?? [])]}`);
    // The same client, redirect URI and scope again: remembered, no page.
    const again = await codeFor(fake, base, { clientId, jar });
    assert.ok(!again.steps.some((s) => s.includes('/authorize/consent')), again.steps.join('\n'));
    assert.match(again.steps[0], /\/authorize\?.* -> 303$/);
  });

  it('two sign-ins started at once in one browser both finish (cookies named per transaction)', async () => {
    const { fake } = proxy;
    const clientId = await registerClient(base, [CB]);
    const jar = new Map();
    const page = browser(jar);
    const cookies = () => jar.get(base) ?? new Map();

    // Both consent pages are shown before either is answered (two tabs).
    const pkce1 = pkcePair();
    const pkce2 = pkcePair();
    const page1 = await page.get(authorizeUrl(base, { clientId, state: 'one', pkce: pkce1 }));
    assert.equal(page1.status, 200);
    const form1 = consentForm(await page1.text());
    const page2 = await page.get(authorizeUrl(base, { clientId, state: 'two', pkce: pkce2 }));
    assert.equal(page2.status, 200);
    const form2 = consentForm(await page2.text());
    assert.notEqual(form1.txn, form2.txn);
    const txnCookie1 = `mcp_txn_${form1.txn.slice(0, 16)}`;
    const txnCookie2 = `mcp_txn_${form2.txn.slice(0, 16)}`;
    assert.equal(cookies().get(txnCookie1), form1.txn, 'over http: no __Host- prefix');
    assert.equal(cookies().get(txnCookie2), form2.txn);

    // Both are allowed, in the order they were shown: each goes to the tenant under its own state cookie.
    const sent1 = await page.post(form1.action, { txn: form1.txn, csrf: form1.csrf, decision: 'approve' });
    assert.equal(sent1.status, 303, await sent1.text());
    const sent2 = await page.post(form2.action, { txn: form2.txn, csrf: form2.csrf, decision: 'approve' });
    assert.equal(sent2.status, 303, await sent2.text());
    const atTenant1 = new URL(sent1.headers.get('location'));
    const atTenant2 = new URL(sent2.headers.get('location'));
    assert.equal(atTenant1.origin, fake.origin);
    const state1 = atTenant1.searchParams.get('state');
    const state2 = atTenant2.searchParams.get('state');
    assert.ok(cookies().has(`mcp_state_${state1.slice(0, 16)}`));
    assert.ok(cookies().has(`mcp_state_${state2.slice(0, 16)}`));
    assert.ok(!cookies().has(txnCookie1) && !cookies().has(txnCookie2), 'the consent cookies are cleared');

    // The first sign-in finishes at the tenant, then the second: both reach a code.
    const r1 = await fake.loginAs(atTenant1.href, 'alice', { jar, stopAt: CB });
    const r2 = await fake.loginAs(atTenant2.href, 'alice', { jar, stopAt: CB });
    assert.ok(r1.code, r1.steps.join('\n'));
    assert.ok(r2.code, r2.steps.join('\n'));
    assert.equal(r1.state, 'one');
    assert.equal(r2.state, 'two');
    assert.ok(!cookies().has(`mcp_state_${state1.slice(0, 16)}`), 'each state cookie is cleared at its callback');

    // And both codes redeem, each with its own verifier.
    for (const [result, pkce] of [[r1, pkce1], [r2, pkce2]]) {
      const answer = await token(base, {
        grant_type: 'authorization_code', code: result.code, code_verifier: pkce.verifier, client_id: clientId, redirect_uri: CB,
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.ok(answer.body.access_token);
    }
  });

  it('/token requires the redirect_uri the authorization named, and refuses another', async () => {
    const { fake } = proxy;
    const second = 'http://127.0.0.1:9/second';
    const clientId = await registerClient(base, [CB, second]);
    const jar = new Map(); // consent once, then the tenant and the proxy remember the browser
    const exchange = (flow, extra) => token(base, {
      grant_type: 'authorization_code', code: flow.code, code_verifier: flow.verifier, client_id: clientId, ...extra,
    });

    // No redirect_uri at /token: invalid_request.
    const missing = await exchange(await codeFor(fake, base, { clientId, jar }));
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'invalid_request', JSON.stringify(missing.body));

    // Another redirect URI, even one this client registered: invalid_grant.
    const other = await exchange(await codeFor(fake, base, { clientId, jar }), { redirect_uri: second });
    assert.equal(other.status, 400);
    assert.equal(other.body.error, 'invalid_grant', JSON.stringify(other.body));
    const slash = await exchange(await codeFor(fake, base, { clientId, jar }), { redirect_uri: `${CB}/` });
    assert.equal(slash.status, 400);
    assert.equal(slash.body.error, 'invalid_grant', JSON.stringify(slash.body));

    // The same one: the token.
    const right = await exchange(await codeFor(fake, base, { clientId, jar }), { redirect_uri: CB });
    assert.equal(right.status, 200, JSON.stringify(right.body));
    assert.ok(right.body.access_token);

    // An authorization that named none (the client's only URI) needs none at /token.
    const single = await registerClient(base, [CB]);
    const unnamed = await codeFor(fake, base, { clientId: single, redirectUri: null });
    const withoutUri = await token(base, {
      grant_type: 'authorization_code', code: unnamed.code, code_verifier: unnamed.verifier, client_id: single,
    });
    assert.equal(withoutUri.status, 200, JSON.stringify(withoutUri.body));
  });

  it('refresh tokens are sealed and bound to their client; Auth0\'s id_token is not passed on', async () => {
    const { fake } = proxy;
    const clientA = await registerClient(base, [CB], 'client A');
    const clientB = await registerClient(base, [CB], 'client B');
    const flow = await codeFor(fake, base, { clientId: clientA });
    upstreamAnswers.length = 0;
    const issued = await token(base, {
      grant_type: 'authorization_code', code: flow.code, code_verifier: flow.verifier, client_id: clientA, redirect_uri: CB,
    });
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    // Auth0 answered with an id_token and its own refresh token...
    const upstream = upstreamAnswers.find((a) => a.grant_type === 'authorization_code');
    assert.ok(upstream?.body.id_token, 'the tenant issued an id_token');
    assert.ok(upstream.body.refresh_token, 'the tenant issued a refresh token');
    // ... the client gets neither: no id_token, a sealed refresh token that does not carry Auth0's.
    assert.ok(!('id_token' in issued.body), JSON.stringify(Object.keys(issued.body)));
    assert.ok(issued.body.access_token);
    const sealed = issued.body.refresh_token;
    assert.match(sealed, /^mcp_rt\.[\w-]+$/);
    assert.ok(!sealed.includes(upstream.body.refresh_token));

    const refresh = (clientId, refreshToken) => token(base, {
      grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId,
    });
    // Another registered client cannot redeem it.
    const stolen = await refresh(clientB, sealed);
    assert.equal(stolen.status, 400);
    assert.equal(stolen.body.error, 'invalid_grant', JSON.stringify(stolen.body));
    // Auth0's own refresh token is not one the proxy accepts.
    const raw = await refresh(clientA, upstream.body.refresh_token);
    assert.equal(raw.status, 400);
    assert.equal(raw.body.error, 'invalid_grant', JSON.stringify(raw.body));
    // Client A can: a new access token and a new sealed refresh token, still without id_token.
    upstreamAnswers.length = 0;
    const refreshed = await refresh(clientA, sealed);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.ok(refreshed.body.access_token);
    assert.notEqual(refreshed.body.access_token, issued.body.access_token);
    assert.match(refreshed.body.refresh_token, /^mcp_rt\.[\w-]+$/);
    assert.notEqual(refreshed.body.refresh_token, sealed);
    assert.ok(!('id_token' in refreshed.body), JSON.stringify(Object.keys(refreshed.body)));
    assert.equal(upstreamAnswers.at(-1)?.grant_type, 'refresh_token', 'the refresh went to the tenant');
    assert.ok(upstreamAnswers.at(-1).body.id_token, 'the tenant answered the refresh with an id_token too');
    // The new sealed token is bound to A as well.
    const stolenAgain = await refresh(clientB, refreshed.body.refresh_token);
    assert.equal(stolenAgain.body.error, 'invalid_grant', JSON.stringify(stolenAgain.body));
    const again = await refresh(clientA, refreshed.body.refresh_token);
    assert.equal(again.status, 200, JSON.stringify(again.body));
  });

  it('registration accepts only https and loopback http redirect URIs written as they parse, and cleans client names', async () => {
    for (const bad of [
      'mailto:a@example.com',
      'chrome://settings',
      'cursor://anysphere.cursor-retrieval/oauth/callback',
      'https:evil.com/cb',
      'https://cl\u0430ude.ai/cb', // a Cyrillic a: another host than it reads
      'http://evil.example/cb', // http on a host other than loopback
      'https://claude.ai\\@evil.example/cb',
      'https://claude.ai/a b',
      'https://claude.ai\t.evil.example/cb',
      'https://Claude.ai/cb',
      'https://claude.ai:443/cb',
      'https://claude.ai@evil.example/cb',
    ]) {
      const { status, body } = await register(base, { client_name: 'bad', redirect_uris: [bad] });
      assert.equal(status, 400, `${JSON.stringify(bad)}: ${JSON.stringify(body)}`);
      assert.equal(body.error, 'invalid_redirect_uri', `${JSON.stringify(bad)}: ${JSON.stringify(body)}`);
      assert.equal(body.client_id, undefined);
    }
    // One bad URI among good ones refuses the whole registration.
    const mixed = await register(base, { redirect_uris: [CB, 'chrome://settings'] });
    assert.equal(mixed.status, 400);
    assert.equal(mixed.body.error, 'invalid_redirect_uri');

    const good = ['https://claude.ai/api/mcp/auth_callback', 'http://127.0.0.1:6274/oauth/callback',
      'http://localhost:6274/oauth/callback', 'http://[::1]:6274/cb'];
    const accepted = await register(base, { client_name: 'Good\u202Egpj.exe', redirect_uris: good });
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    assert.deepEqual(accepted.body.redirect_uris, good);
    // The right-to-left override that would show "Goodexe.jpg" is gone.
    assert.equal(accepted.body.client_name, 'Goodgpj.exe');
    // The consent page shows the clean name too (the client id carries it).
    const consent = await fetch(authorizeUrl(base, {
      clientId: accepted.body.client_id, redirectUri: good[1], pkce: pkcePair(),
    }), { redirect: 'manual' });
    assert.equal(consent.status, 200);
    const html = await consent.text();
    assert.match(html, /Goodgpj\.exe/);
    assert.ok(!html.includes('\u202E'));
  });

  it('a state longer than 1024 bytes is refused with a page, even for a consented redirect URI', async () => {
    const { fake } = proxy;
    const clientId = await registerClient(base, [CB]);
    // This browser consented to CB for this client: errors could be redirected there.
    const jar = new Map();
    await codeFor(fake, base, { clientId, jar });
    const page = browser(jar);

    const huge = await page.get(authorizeUrl(base, { clientId, state: 's'.repeat(60 * 1024), pkce: pkcePair() }));
    assert.equal(huge.status, 400);
    assert.equal(huge.headers.get('location'), null, 'not sent back to the client');
    assert.match(huge.headers.get('content-type'), /text\/html/);
    assert.match(await huge.text(), /longer than 1024 bytes/);
    const over = await page.get(authorizeUrl(base, { clientId, state: 's'.repeat(1025), pkce: pkcePair() }));
    assert.equal(over.status, 400);
    assert.equal(over.headers.get('location'), null);
    // 1024 bytes is still fine: the remembered consent sends the browser on to the tenant.
    const most = await page.get(authorizeUrl(base, { clientId, state: 's'.repeat(1024), pkce: pkcePair() }));
    assert.equal(most.status, 303);
    assert.ok(most.headers.get('location').startsWith(`${fake.origin}/authorize?`));
  });
});

// The consent page of `auth0_proxy` and the login page of its development issuer, in a real
// browser: Debian's headless Chromium (/usr/bin/chromium), driven by puppeteer-core (which
// never downloads a browser). The official SDK client does the OAuth side; Chromium plays the
// user. It checks what only a browser shows: the Allow button has the focus, the stylesheet
// is applied under the page's Content-Security-Policy, the page refuses to render in a frame.
// It also takes the screenshots of docs/screenshots/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import puppeteer from 'puppeteer-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

import { CLIENT_CALLBACK, memoryProvider, text } from './lib/oauth-client.mjs';
import { REPO_ROOT, startServer } from './lib/server.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');
const DESKTOP = { width: 1100, height: 820 };
const PHONE = { width: 390, height: 844 };

/** An SDK client whose first connect asked for a browser sign-in: its authorization URL. */
async function startSignIn(mcpUrl, name) {
  const provider = memoryProvider(name);
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
  await assert.rejects(client.connect(transport), UnauthorizedError);
  assert.ok(provider.store.authorizationUrl, 'the SDK asked for a browser redirect');
  return { provider, client, transport, authorizationUrl: provider.store.authorizationUrl.href };
}

/**
 * A page in a fresh browser context (no cookies) that records console errors and page errors,
 * and answers the redirect to CLIENT_CALLBACK itself: `callback` resolves with that URL.
 */
async function openPage(browser) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  let resolveCallback;
  const callback = new Promise((resolve) => { resolveCallback = resolve; });
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.isInterceptResolutionHandled()) return;
    if (request.url().startsWith(CLIENT_CALLBACK)) {
      resolveCallback(new URL(request.url()));
      request.respond({ status: 200, contentType: 'text/plain', body: 'ok' });
    } else {
      request.continue();
    }
  });
  return { context, page, problems, callback };
}

describe('the consent and login pages in headless Chromium', { timeout: 60_000 }, () => {
  let server;
  let browser;
  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer('auth0_proxy', {
      AUTH0_DOMAIN: '', AUTH0_CLIENT_ID: '', AUTH0_CLIENT_SECRET: '', AUTH0_AUDIENCE: '',
    });
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('alice allows, signs in on the development issuer and deletes a document', async () => {
    const { provider, client, transport, authorizationUrl } = await startSignIn(server.url, 'browser-alice');
    const { context, page, problems, callback } = await openPage(browser);
    try {
      await page.setViewport(DESKTOP);
      await page.goto(authorizationUrl, { waitUntil: 'load' });
      const heading = await page.$eval('h1', (h) => h.textContent);
      assert.match(heading, /^Allow .+ to use .+\?$/);
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Allow',
        'the Allow button has the focus');
      const scopes = await page.$$eval('ul.scopes li', (items) => items.map((li) => li.textContent));
      assert.ok(scopes.some((s) => s.includes('Read documents.')), scopes.join('\n'));
      assert.ok(scopes.some((s) => s.includes('Delete documents.')), scopes.join('\n'));
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).maxWidth), 'none',
        'the hashed stylesheet is applied under the Content-Security-Policy');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'consent-desktop.png') });

      await page.setViewport(PHONE);
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'consent-phone.png') });
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
      await page.setViewport(DESKTOP);

      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[value=approve]')]);
      assert.equal(await page.$eval('h1', (h) => h.textContent), 'Development sign-in');
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).maxWidth), 'none');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'login-desktop.png') });

      await page.click('button[value=alice]');
      const url = await callback;
      assert.equal(url.searchParams.get('error'), null, url.href);
      assert.equal(url.searchParams.get('state'), 'client-state-1');
      assert.ok(url.searchParams.get('iss'), `no iss in ${url.href}`);
      const code = url.searchParams.get('code');
      assert.ok(code, `no code in ${url.href}`);
      assert.deepEqual(problems, [], 'no console errors (Content-Security-Policy or other)');

      await transport.finishAuth(code);
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider }));
      const result = await client.callTool({ name: 'delete-document', arguments: { documentId: 'doc-1' } });
      assert.notEqual(result.isError, true, text(result));
      assert.match(text(result), /Document deleted: doc-1/);
      await client.close();
    } finally {
      await context.close();
    }
  });

  it('Deny sends the browser back with error=access_denied', async () => {
    const { client, authorizationUrl } = await startSignIn(server.url, 'browser-deny');
    const { context, page, problems, callback } = await openPage(browser);
    try {
      await page.goto(authorizationUrl, { waitUntil: 'load' });
      await page.click('button[value=deny]');
      const url = await callback;
      assert.equal(url.searchParams.get('error'), 'access_denied', url.href);
      assert.equal(url.searchParams.get('code'), null);
      assert.equal(url.searchParams.get('state'), 'client-state-1');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
      await client.close();
    }
  });

  it('the consent page does not render inside a frame', async () => {
    const { client, authorizationUrl } = await startSignIn(server.url, 'browser-frame');
    const { context, page } = await openPage(browser);
    try {
      const escaped = authorizationUrl.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
      await page.setContent(`<iframe src="${escaped}" width="800" height="600"></iframe>`, { waitUntil: 'load' });
      const frames = page.frames().filter((f) => f !== page.mainFrame());
      assert.equal(frames.length, 1);
      const [frame] = frames;
      const framed = await frame.$('button[value=approve]').catch(() => null);
      assert.equal(framed, null, `the consent page rendered inside a frame (frame URL ${frame.url()})`);
      // Chromium shows its own error page in place of a page that forbids framing.
      assert.ok(frame.url() === 'chrome-error://chromewebdata/' || frame.url() === authorizationUrl, frame.url());
    } finally {
      await context.close();
      await client.close();
    }
  });
});

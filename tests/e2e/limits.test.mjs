// The limits that keep a server's memory and connections bounded, measured from outside on a
// running server (Linux: /proc/<pid>): /mcp refuses a request from its headers before reading
// its body; slow or idle connections are closed by the header timeout (10 s); on a small
// file-descriptor limit, idle connections cannot starve a real request for long; the proxy's
// pending stores are bounded in bytes.
//
// Raw sockets (node:net) send exactly the bytes a hostile client would; each test fails if its
// protection is removed: an answer that waits for the body, a connection kept open past the
// timeout, a request never served, a store that keeps taking big items.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { memoryOf, openFds, watchMemory } from './lib/proc.mjs';
import { startServer } from './lib/server.mjs';

const HOST = '127.0.0.1';
const MiB = 1024 * 1024;
const KiB = 1024;
const CB = 'http://127.0.0.1:9/cb'; // never contacted

/** Every socket a test opened, destroyed in `after` whatever happened. */
const sockets = new Set();

/** A raw TCP connection to `port` (from `localAddress`, a loopback address, if given). */
async function connect(port, localAddress) {
  const socket = net.connect({ port, host: HOST, ...(localAddress ? { localAddress } : {}) });
  sockets.add(socket);
  socket.on('error', () => {}); // resets after the server closes are expected
  socket.once('close', () => sockets.delete(socket));
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/**
 * What the server sends on `socket`: `head()` resolves with { status, headers, text } once the
 * response's head has arrived (text: everything received so far), `closed` with the time
 * (performance.now()) the connection ended.
 */
function reader(socket) {
  let text = '';
  let gotHead;
  const head = new Promise((resolve) => {
    gotHead = resolve;
  });
  socket.setEncoding('latin1');
  socket.on('data', (chunk) => {
    text += chunk;
    const end = text.indexOf('\r\n\r\n');
    if (end >= 0) {
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => {
        const colon = l.indexOf(':');
        return [l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim()];
      }));
      gotHead({ status: Number(statusLine.split(' ')[1]), headers, text });
    }
  });
  const closed = new Promise((resolve) => {
    socket.once('close', () => resolve(performance.now()));
  });
  return { head: () => head, closed, text: () => text };
}

/** `promise`, or `fallback` after `ms`. */
function within(promise, ms, fallback = null) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(fallback), ms);
    }),
  ]);
}

/** One HTTP request on its own connection (from `localAddress`, if given): { status, headers, text }. */
function request(port, { method = 'GET', path, headers = {}, body, localAddress, timeoutMs = 30_000 }) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: HOST, port, method, path, agent: false, ...(localAddress ? { localAddress } : {}),
      headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'limits', version: '1' } },
});

const mb = (kib) => `${(kib / 1024).toFixed(1)} MB`;

describe('limits on memory and connections', { timeout: 120_000 }, () => {
  let mcpProxy; // auth0_proxy (development issuer): /mcp with OAuth
  let storeProxy; // auth0_proxy (development issuer): the pending stores, on their own
  let hello; // hello: the connection timeouts
  let starved; // hello under `ulimit -n 256`
  let lockout; // auth0_proxy without a rate limit to speak of: one address's share of a store

  before(async () => {
    const started = await Promise.allSettled([
      startServer('auth0_proxy', {}),
      startServer('auth0_proxy', {}),
      startServer('hello', {}),
      startServer('hello', {}, { maxOpenFiles: 256 }),
      startServer('auth0_proxy', { MCP_RATE_LIMIT_PER_MINUTE: '1000000' }),
    ]);
    [mcpProxy, storeProxy, hello, starved, lockout] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all([mcpProxy, storeProxy, hello, starved, lockout].map((s) => s?.stop()));
  });

  it('/mcp admits Host, Origin and the token before it reads the body', async (t) => {
    const { port } = mcpProxy;
    const pid = mcpProxy.child.pid;
    const BODY = 4 * MiB;
    const FIRST = 64 * KiB; // what each client sends of its body before it waits for the answer
    const CONNECTIONS = 50;
    const chunk = Buffer.alloc(64 * KiB, 'x');

    // Warm up the paths once, so that the baseline holds what serving them allocates for good.
    assert.equal((await request(port, { method: 'POST', path: '/mcp', headers: { host: 'evil.example' }, body: '{}' })).status, 403);
    assert.equal((await request(port, { method: 'POST', path: '/mcp', body: '{}' })).status, 401);

    const cases = [
      { name: 'a Host not allowed', headers: { Host: 'evil.example' }, status: 403, says: /host `evil\.example` is not allowed/ },
      { name: 'an Origin not allowed', headers: { Host: `127.0.0.1:${port}`, Origin: 'http://evil.example' }, status: 403, says: /Origin is not allowed/ },
      { name: 'no token', headers: { Host: `127.0.0.1:${port}` }, status: 401, says: /access token/ },
    ];
    for (const c of cases) {
      const memory = watchMemory(pid);
      const started = performance.now();
      // 50 clients announce 4 MiB each and send the first 64 KiB; the answer must come now.
      const answers = await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
        const socket = await connect(port);
        const read = reader(socket);
        const head = [
          'POST /mcp HTTP/1.1',
          ...Object.entries(c.headers).map(([k, v]) => `${k}: ${v}`),
          'Content-Type: application/json',
          'Accept: application/json, text/event-stream',
          `Content-Length: ${BODY}`,
          '', '',
        ].join('\r\n');
        socket.write(head);
        socket.write(chunk.subarray(0, FIRST));
        const answer = await within(read.head(), 5_000);
        const answeredAfter = performance.now() - started;
        // Then the rest of the body, as fast as the server takes it: a server that buffers
        // bodies of refused requests grows by 4 MiB per connection here.
        let sent = FIRST;
        while (sent < BODY && socket.writable) {
          const flushed = socket.write(chunk.subarray(0, Math.min(chunk.length, BODY - sent)));
          sent += chunk.length;
          if (!flushed) await within(new Promise((r) => { socket.once('drain', r); socket.once('close', r); }), 2_000);
        }
        const closedAt = await within(read.closed, 2_000);
        socket.destroy();
        return { answer, answeredAfter, closed: closedAt !== null, text: read.text() };
      }));
      await sleep(200); // let the server finish with the connections
      const { baselineKiB, peakKiB, growthKiB } = memory.stop();

      for (const a of answers) {
        assert.ok(a.answer, `${c.name}: no answer after the headers and ${FIRST} of ${BODY} body bytes ` +
          `(the server waits for the body): ${JSON.stringify(a.text.slice(0, 300))}`);
        assert.equal(a.answer.status, c.status, `${c.name}: ${a.text.slice(0, 400)}`);
        assert.match(a.text, c.says);
      }
      if (c.status === 401) {
        assert.match(answers[0].answer.headers['www-authenticate'], /^Bearer resource_metadata="/);
      }
      const slowest = Math.max(...answers.map((a) => a.answeredAfter));
      const closed = answers.filter((a) => a.closed).length;
      t.diagnostic(`${c.name}: ${CONNECTIONS} x ${c.status} within ${slowest.toFixed(0)} ms, ${closed} closed by the server; ` +
        `RSS ${mb(baselineKiB)} -> peak ${mb(peakKiB)} (+${mb(growthKiB)})`);
      assert.ok(growthKiB < 20 * 1024, `${c.name}: RSS grew by ${mb(growthKiB)} (${mb(baselineKiB)} -> ${mb(peakKiB)})`);
    }
    assert.equal(mcpProxy.child.exitCode, null, 'the server is still running');
  });

  it('a client that sends its headers slowly loses its connection', async (t) => {
    const { port } = hello;
    const timed = async (name, open) => {
      const socket = await connect(port);
      const read = reader(socket);
      const from = await open(socket, read); // the moment the server has all it will get
      const closedAt = await within(read.closed, 20_000);
      socket.destroy();
      return { name, seconds: closedAt === null ? Infinity : (closedAt - from) / 1000, text: read.text() };
    };
    const results = await Promise.all([
      timed('half a request line', async (socket) => {
        socket.write('GET /mcp HT');
        return performance.now();
      }),
      timed('headers without their end', async (socket) => {
        socket.write(`GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n`);
        return performance.now();
      }),
      timed('a header one byte a second', async (socket) => {
        socket.write(`GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
        const started = performance.now();
        const drip = setInterval(() => socket.writable && socket.write('x'), 1_000);
        socket.once('close', () => clearInterval(drip));
        return started; // the timeout counts from the start of the headers, not from the last byte
      }),
      timed('an idle keep-alive connection after one request', async (socket, read) => {
        socket.write([
          'POST /mcp HTTP/1.1', `Host: 127.0.0.1:${port}`, 'Content-Type: application/json',
          'Accept: application/json, text/event-stream', `Content-Length: ${Buffer.byteLength(INITIALIZE)}`, '', INITIALIZE,
        ].join('\r\n'));
        const answer = await within(read.head(), 5_000);
        assert.equal(answer?.status, 200, read.text());
        assert.notEqual(answer.headers.connection, 'close', 'kept alive');
        return performance.now();
      }),
    ]);
    for (const r of results) {
      t.diagnostic(`${r.name}: closed after ${r.seconds.toFixed(2)} s`);
      assert.ok(r.seconds >= 8 && r.seconds < 15,
        `${r.name}: closed after ${r.seconds} s, not by the 10 s header timeout; received ${JSON.stringify(r.text.slice(0, 200))}`);
    }
    // The server still serves.
    assert.equal((await request(port, { method: 'POST', path: '/mcp', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: INITIALIZE })).status, 200);
  });

  it('idle partial connections cannot starve a legitimate request on a small fd limit', async (t) => {
    const { port } = starved;
    const pid = starved.child.pid;
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    assert.equal(Number(limit?.[1]), 256, 'the server runs under ulimit -n 256');
    const idleFds = openFds(pid);

    // 300 connections that never finish their headers: more than the server has descriptors.
    const partial = await Promise.all(Array.from({ length: 300 }, async () => {
      const socket = await connect(port); // the kernel completes the handshake, accepted or not
      socket.write(`GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
      return socket;
    }));
    const openedAt = performance.now();
    let fds = openFds(pid);
    while (fds < 250 && performance.now() - openedAt < 5_000) {
      await sleep(50);
      fds = openFds(pid);
    }
    t.diagnostic(`open fds: ${idleFds} idle, ${fds} with 300 partial connections (limit 256)`);
    assert.ok(fds >= 250, `the server did not reach its descriptor limit (${fds} open): the test would show nothing`);

    // A real request now waits in the backlog until the header timeout frees descriptors.
    const sentAt = performance.now();
    const answer = await request(port, {
      method: 'POST', path: '/mcp', body: INITIALIZE, timeoutMs: 20_000,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    });
    const waited = (performance.now() - sentAt) / 1000;
    t.diagnostic(`the request was answered after ${waited.toFixed(2)} s (${((performance.now() - openedAt) / 1000).toFixed(2)} s after the partial connections)`);
    assert.equal(answer.status, 200, answer.text);
    assert.match(answer.text, /"serverInfo":\{"name":"hello"/);
    assert.ok(waited < 15, `answered only after ${waited} s`);
    // It was really out of descriptors: accept failed with EMFILE (the log says so).
    const log = starved.stdout() + starved.stderr();
    const refusals = log.match(/could not accept a connection.*Too many open files/g) ?? [];
    t.diagnostic(`accept failures logged: ${refusals.length}`);
    assert.ok(refusals.length > 0, 'accept never failed with EMFILE: the limit was not reached');

    // Still alive, and serving at once without the idle connections.
    for (const socket of partial) socket.destroy();
    await sleep(200);
    assert.equal(starved.child.exitCode, null, 'the server is still running');
    const quick = performance.now();
    const again = await request(port, { path: '/', timeoutMs: 5_000 });
    assert.ok([200, 404, 405].includes(again.status), `${again.status} ${again.text}`);
    assert.ok(performance.now() - quick < 2_000);
    t.diagnostic(`open fds afterwards: ${openFds(pid)}`);
  });

  it('one client address cannot fill a pending store and lock everyone out of signing in', async (t) => {
    const { port } = lockout;
    const registered = await request(port, {
      method: 'POST', path: '/register', localAddress: '127.3.0.1', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [CB], client_name: 'lockout' }),
    });
    assert.equal(registered.status, 201, registered.text);
    const clientId = JSON.parse(registered.text).client_id;
    const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
    const path = `/authorize?${new URLSearchParams({
      response_type: 'code', client_id: clientId, redirect_uri: CB, state: 's', scope: 'read:data',
      code_challenge: challenge, code_challenge_method: 'S256',
    })}`;
    const counts = {};
    for (let i = 0; i < 150; i++) {
      const r = await request(port, { path, localAddress: '127.3.0.1', headers: { accept: 'text/html' } });
      counts[r.status] = (counts[r.status] ?? 0) + 1;
    }
    t.diagnostic(`one address, 150 consent pages asked: ${JSON.stringify(counts)}`);
    assert.deepEqual(counts, { 200: 100, 503: 50 }, 'one address holds at most 100 pending consents');
    // Someone else, for the same client, still gets a consent page.
    const other = await request(port, { path, localAddress: '127.3.0.2', headers: { accept: 'text/html' } });
    assert.equal(other.status, 200, other.text);
    assert.match(other.text, /name="txn"/);
  });

  it('the pending stores are bounded in bytes', async (t) => {
    const { port } = storeProxy;
    const pid = storeProxy.child.pid;
    // The proxy limits each endpoint to 600 requests a minute in bursts of 60 per client
    // address, and as much per client id; the example has no setting to raise it. So the
    // requests come from 100 loopback addresses (127.1.0.1-100: all of 127/8 is loopback on
    // Linux) with one registered client each, at most 42 per address and client.
    const PAIRS = 100;
    const clients = [];
    for (let i = 0; i < PAIRS; i++) {
      const localAddress = `127.1.0.${i + 1}`;
      // The client id is the signed registration: another name, another client id.
      const registered = await request(port, {
        method: 'POST', path: '/register', localAddress, headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [CB], client_name: `limits ${i}` }),
      });
      assert.equal(registered.status, 201, registered.text);
      clients.push({ localAddress, id: JSON.parse(registered.text).client_id });
    }
    assert.equal(new Set(clients.map((c) => c.id)).size, PAIRS);
    const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
    assert.equal(challenge.length, 43);
    const authorize = (client, state, scope) => `/authorize?${new URLSearchParams({
      response_type: 'code', client_id: client.id, redirect_uri: CB, state, scope,
      code_challenge: challenge, code_challenge_method: 'S256',
    })}`;
    /** `total` GET /authorize, 16 at a time, round robin over the clients: the statuses counted. */
    const flood = async (total, state, scope) => {
      const counts = {};
      const samples = {};
      let next = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        for (let i = next++; i < total; i = next++) {
          const client = clients[i % PAIRS];
          const r = await request(port, { path: authorize(client, state, scope), localAddress: client.localAddress, headers: { accept: 'text/html' } });
          counts[r.status] = (counts[r.status] ?? 0) + 1;
          samples[r.status] ??= r.text;
        }
      }));
      return { counts, samples };
    };

    const baselineKiB = memoryOf(pid).rssKiB;
    // 1,139 states of 60 KiB (70 MB in all): refused before anything is stored.
    const big = watchMemory(pid);
    const refused = await flood(1139, 's'.repeat(60 * KiB), 'read:data');
    const bigMemory = big.stop();
    t.diagnostic(`60 KiB states: ${JSON.stringify(refused.counts)}; RSS ${mb(bigMemory.baselineKiB)} -> peak ${mb(bigMemory.peakKiB)} (+${mb(bigMemory.growthKiB)})`);
    assert.deepEqual(refused.counts, { 400: 1139 }, refused.samples[429] ?? '');
    assert.match(refused.samples[400], /longer than 1024 bytes/);
    assert.ok(bigMemory.growthKiB < 10 * 1024, `RSS grew by ${mb(bigMemory.growthKiB)}`);

    // 3,000 consent requests at the limits (a 1024-byte state, a 1000-byte scope): each is
    // kept about 2.1 kB, so the 4 MiB budget of the consent store takes at most ~1,990.
    const scope = `read:data ${'z'.repeat(990)}`;
    assert.equal(scope.length, 1000);
    const kept = watchMemory(pid);
    const pages = await flood(3000, 's'.repeat(1024), scope);
    const keptMemory = kept.stop();
    const overall = keptMemory.peakKiB - baselineKiB;
    t.diagnostic(`1 KiB states: ${JSON.stringify(pages.counts)}; RSS ${mb(keptMemory.baselineKiB)} -> peak ${mb(keptMemory.peakKiB)} (+${mb(keptMemory.growthKiB)}); overall +${mb(overall)}`);
    assert.deepEqual(Object.keys(pages.counts).sort(), ['200', '503'], JSON.stringify(pages.counts));
    assert.match(pages.samples[200], /name="txn"/, 'a consent page');
    assert.match(pages.samples[503], /Too many sign-ins are in progress/);
    const minWeight = 32 + CB.length + 1024 + 43 + 1000 + 32; // the item and a key of at least 32 bytes
    assert.ok(pages.counts[200] <= Math.floor(4 * MiB / minWeight),
      `${pages.counts[200]} consent requests kept: more than 4 MiB`);
    assert.ok(pages.counts[200] >= 1500, `only ${pages.counts[200]} consent requests kept before the store was full`);
    assert.ok(overall < 40 * 1024, `RSS grew by ${mb(overall)} overall`);
    assert.equal(storeProxy.child.exitCode, null, 'the server is still running');
  });
});

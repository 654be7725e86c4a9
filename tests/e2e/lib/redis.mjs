// A throwaway Redis for end-to-end tests: Debian's `redis-server` on a free loopback port,
// without persistence (a restarted Redis is empty), configured by arguments only.
//
//   const redis = await startRedis();
//   redis.url        // 'redis://127.0.0.1:PORT'
//   await redis.restart(); // stop, then start again on the same port (empty)
//   await redis.stop();
//
// CI installs the `redis-server` package (`apt-get install redis-server`); the binary is looked
// up at $REDIS_SERVER, /usr/bin/redis-server, then on PATH. `redisCommand` speaks just enough
// RESP for a test to look at the keys.

import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { freePort } from './server.mjs';

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const MAX_CAPTURE = 64 * 1024;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The redis-server binary, or a clear error saying how to get one. */
export function redisServerPath() {
  const candidates = [
    process.env.REDIS_SERVER,
    '/usr/bin/redis-server',
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'redis-server')),
  ].filter(Boolean);
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there, or not executable
    }
  }
  throw new Error(
    'redis-server not found (looked at $REDIS_SERVER, /usr/bin/redis-server and on PATH): '
      + 'install Debian\'s redis-server package (sudo apt-get install redis-server), as CI does',
  );
}

// Redis servers still running when the test process exits are killed with it.
const live = new Set();
process.once('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Resolves true once `PING` on host:port is answered `+PONG`, false on any failure. */
function ping(port, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: HOST });
    let seen = '';
    const done = (ok) => {
      sock.removeAllListeners();
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (chunk) => {
      seen += chunk.toString('latin1');
      if (seen.includes('\r\n')) done(seen.startsWith('+PONG'));
    });
  });
}

/** Parses one RESP2 reply at `buf[at]`: { value, end }, or undefined when incomplete. */
function parseReply(buf, at = 0) {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const kind = buf[at];
  const line = buf.slice(at + 1, eol);
  const after = eol + 2;
  if (kind === '+') return { value: line, end: after };
  if (kind === '-') return { value: new Error(line), end: after };
  if (kind === ':') return { value: Number(line), end: after };
  if (kind === '$') {
    const n = Number(line);
    if (n < 0) return { value: null, end: after };
    if (buf.length < after + n + 2) return undefined;
    return { value: buf.slice(after, after + n), end: after + n + 2 };
  }
  if (kind === '*') {
    const n = Number(line);
    if (n < 0) return { value: null, end: after };
    const items = [];
    let pos = after;
    for (let i = 0; i < n; i += 1) {
      const item = parseReply(buf, pos);
      if (!item) return undefined;
      items.push(item.value);
      pos = item.end;
    }
    return { value: items, end: pos };
  }
  throw new Error(`unexpected RESP reply: ${JSON.stringify(buf.slice(at, at + 80))}`);
}

/** Sends one command to the Redis on 127.0.0.1:`port` and resolves with its parsed reply. */
export function redisCommand(port, ...args) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: HOST });
    let buf = '';
    sock.setTimeout(5_000, () => { sock.destroy(); reject(new Error(`redis ${args[0]}: no answer in 5 s`)); });
    sock.once('error', reject);
    sock.once('connect', () => {
      const parts = args.map((a) => String(a));
      sock.write(`*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`);
    });
    sock.setEncoding('latin1');
    sock.on('data', (chunk) => {
      buf += chunk;
      let reply;
      try {
        reply = parseReply(buf);
      } catch (e) {
        sock.destroy();
        reject(e);
        return;
      }
      if (!reply) return;
      sock.destroy();
      if (reply.value instanceof Error) reject(reply.value);
      else resolve(reply.value);
    });
  });
}

/**
 * Starts redis-server on a free 127.0.0.1 port (or `opts.port`) and waits until it answers PING.
 * Returns { url, port, stop(), restart(), command(...args), output() }.
 */
export async function startRedis(opts = {}) {
  const bin = redisServerPath();
  const port = opts.port ?? await freePort();
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'];
  const out = { text: '' };
  let child = null;
  let exited = null; // a promise that resolves when the current child exits

  const launch = async () => {
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    live.add(proc);
    let exitInfo = null;
    let spawnError = null;
    exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        exitInfo = { code, signal };
        live.delete(proc);
        resolve();
      });
      proc.once('error', (e) => {
        spawnError = e;
        live.delete(proc);
        resolve();
      });
    });
    for (const stream of [proc.stdout, proc.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        out.text += chunk;
        if (out.text.length > MAX_CAPTURE) out.text = out.text.slice(-MAX_CAPTURE);
        if (process.env.MCP_E2E_VERBOSE) process.stderr.write(chunk.replace(/^(?=.)/gm, '[redis] '));
      });
    }
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (spawnError) throw new Error(`redis-server (${bin}) could not be started: ${spawnError.message}`);
      if (exitInfo) {
        await sleep(50);
        throw new Error(`redis-server exited (code ${exitInfo.code}, signal ${exitInfo.signal}) before answering on ${HOST}:${port}\n${out.text}`);
      }
      if (await ping(port)) return;
      if (Date.now() >= deadline) {
        await halt();
        throw new Error(`redis-server did not answer PING on ${HOST}:${port} within ${START_TIMEOUT_MS} ms\n${out.text}`);
      }
      await sleep(50);
    }
  };

  const halt = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    let timer;
    const grace = new Promise((r) => { timer = setTimeout(() => r('timeout'), STOP_GRACE_MS); });
    const first = await Promise.race([exited.then(() => 'exited'), grace]);
    clearTimeout(timer);
    if (first === 'timeout') {
      proc.kill('SIGKILL');
      await exited;
    }
  };

  await launch();
  return {
    url: `redis://${HOST}:${port}`,
    port,
    /** Sends one command (e.g. 'KEYS', '*') and resolves with its reply. */
    command: (...args) => redisCommand(port, ...args),
    /** What redis-server wrote so far (all its runs). */
    output: () => out.text,
    /** Stops redis-server (SIGTERM, then SIGKILL after 5 s); nothing listens on the port then. */
    stop: halt,
    /** Stops it and starts it again on the same port: an empty Redis (no persistence). */
    async restart() {
      await halt();
      await launch();
    },
  };
}

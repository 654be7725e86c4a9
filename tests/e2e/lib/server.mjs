// Helper to run one of the Rust example servers for an end-to-end test.
//
//   const server = await startServer('hello', { RUST_LOG: 'debug' });
//   // server.url === 'http://127.0.0.1:<port>/mcp'
//   await server.stop();
//
// The binary is the prebuilt `target/debug/examples/<name>` of the repository
// (build it first with `cargo build --examples`). It is looked up in, in order:
//   1. $MCP_EXAMPLES_DIR/<name>                (absolute, or relative to the cwd)
//   2. $CARGO_TARGET_DIR/debug/examples/<name> (when CARGO_TARGET_DIR is set)
//   3. <repo root>/target/debug/examples/<name>
// The server gets PORT=<free port> in its environment and must listen for
// Streamable HTTP on 127.0.0.1:<PORT> (or 0.0.0.0) at the path /mcp.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** tests/e2e */
export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root: two levels up from tests/e2e. */
export const REPO_ROOT = path.resolve(E2E_DIR, '..', '..');

const HOST = '127.0.0.1';
const DEFAULT_START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const MAX_CAPTURE = 256 * 1024; // keep at most this many chars of each stream

/** Directory holding the example binaries (see the header comment). */
export function examplesDir() {
  if (process.env.MCP_EXAMPLES_DIR) return path.resolve(process.env.MCP_EXAMPLES_DIR);
  if (process.env.CARGO_TARGET_DIR) {
    return path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR, 'debug', 'examples');
  }
  return path.join(REPO_ROOT, 'target', 'debug', 'examples');
}

/** Absolute path of the example binary `name`. */
export function examplePath(name) {
  return path.join(examplesDir(), name);
}

/** A TCP port that was free a moment ago (listen on port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** Resolves true if something accepts TCP connections on host:port, else false. */
function canConnect(port, host = HOST, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok) => {
      sock.removeAllListeners();
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Children still running when the test process exits are killed with it.
const liveChildren = new Set();
process.once('exit', () => {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

function capture(stream, sink, label, name) {
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    sink.text += chunk;
    if (sink.text.length > MAX_CAPTURE) sink.text = sink.text.slice(-MAX_CAPTURE);
    if (process.env.MCP_E2E_VERBOSE) {
      process.stderr.write(chunk.replace(/^(?=.)/gm, `[${name} ${label}] `));
    }
  });
}

/**
 * Start example `exampleName` with PORT set to a free port and wait until the
 * port accepts TCP connections.
 *
 * `opts.maxOpenFiles` runs the binary under that limit of open file descriptors
 * (`ulimit -n`, through /bin/sh, which then execs it: `child.pid` is the server's).
 *
 * @param {string} exampleName  file name under target/debug/examples
 * @param {Record<string,string>} [env]  extra environment (PORT here wins over the free port)
 * @param {{timeoutMs?: number, args?: string[], path?: string, maxOpenFiles?: number}} [opts]
 * @returns {Promise<{url: string, port: number, child: import('node:child_process').ChildProcess,
 *                    stdout: () => string, stderr: () => string, stop: () => Promise<void>}>}
 */
export async function startServer(exampleName, env = {}, opts = {}) {
  const { timeoutMs = DEFAULT_START_TIMEOUT_MS, args = [], path: urlPath = '/mcp', maxOpenFiles } = opts;
  const bin = examplePath(exampleName);
  if (!existsSync(bin)) {
    throw new Error(
      `example binary not found: ${bin}\n` +
        `build it first (cargo build --examples) or point MCP_EXAMPLES_DIR at the directory holding it`,
    );
  }

  const port = env.PORT !== undefined ? Number(env.PORT) : await freePort();
  const out = { text: '' };
  const err = { text: '' };

  // With a limit, the shell sets it and replaces itself with the binary ($0 = bin, $@ = args).
  const [file, argv] = maxOpenFiles === undefined
    ? [bin, args]
    : ['/bin/sh', ['-c', `ulimit -n ${Number(maxOpenFiles)} && exec "$0" "$@"`, bin, ...args]];
  const child = spawn(file, argv, {
    cwd: REPO_ROOT,
    env: { RUST_BACKTRACE: '1', ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveChildren.add(child);
  capture(child.stdout, out, 'stdout', exampleName);
  capture(child.stderr, err, 'stderr', exampleName);

  let exitInfo = null; // {code, signal} once exited
  let spawnError = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      liveChildren.delete(child);
      resolve(exitInfo);
    });
    child.once('error', (e) => {
      // spawn failure (ENOENT, EACCES...): no 'exit' event follows
      spawnError = e;
      liveChildren.delete(child);
      resolve({ code: null, signal: null });
    });
  });

  let stopping = null;
  const stop = () => {
    if (stopping) return stopping;
    stopping = (async () => {
      if (exitInfo || spawnError) return;
      child.kill('SIGTERM');
      let timer;
      const grace = new Promise((r) => {
        timer = setTimeout(() => r('timeout'), STOP_GRACE_MS);
      });
      const first = await Promise.race([exited, grace]);
      clearTimeout(timer); // don't keep the event loop alive for the grace period
      if (first === 'timeout' && !exitInfo) {
        child.kill('SIGKILL');
        await exited;
      }
    })();
    return stopping;
  };

  const describeFailure = (what) => {
    const parts = [`example '${exampleName}' (${bin}) ${what}`];
    if (spawnError) parts.push(`spawn error: ${spawnError.message}`);
    parts.push(`--- stderr ---\n${err.text || '(empty)'}`);
    if (out.text) parts.push(`--- stdout ---\n${out.text}`);
    return parts.join('\n');
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(describeFailure('could not be started'));
    if (exitInfo) {
      // let the last buffered output arrive before reporting it
      await sleep(50);
      const how = exitInfo.signal ? `signal ${exitInfo.signal}` : `code ${exitInfo.code}`;
      throw new Error(describeFailure(`exited with ${how} before listening on port ${port}`));
    }
    if (await canConnect(port)) break;
    if (Date.now() >= deadline) {
      await stop();
      throw new Error(describeFailure(`did not listen on ${HOST}:${port} within ${timeoutMs} ms`));
    }
    await sleep(100);
  }

  return {
    url: `http://${HOST}:${port}${urlPath}`,
    port,
    child,
    stdout: () => out.text,
    stderr: () => err.text,
    stop,
  };
}

// The `interactive` example with the official SDK client: progress notifications, cancellation
// through an AbortSignal (the SDK sends notifications/cancelled), and an elicitation answered
// by the client's handler before a destructive action. Also the MCP Inspector CLI.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

import { E2E_DIR, startServer } from './lib/server.mjs';

const execFileP = promisify(execFile);

describe('interactive example via the TypeScript SDK client', { timeout: 60_000 }, () => {
  let server;
  before(async () => {
    server = await startServer('interactive');
  });
  after(async () => {
    await server?.stop();
  });

  async function connect(onElicit) {
    const client = new Client({ name: 'e2e-interactive', version: '1.0.0' }, { capabilities: onElicit ? { elicitation: {} } : {} });
    if (onElicit) client.setRequestHandler(ElicitRequestSchema, onElicit);
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    return client;
  }

  it('reports progress while counting', async () => {
    const client = await connect();
    const progress = [];
    const result = await client.callTool({ name: 'count_slowly', arguments: { to: 3, delay_ms: 10 } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    assert.equal(result.content[0].text, 'Counted to 3.');
    assert.deepEqual(progress.map((p) => [p.progress, p.total]), [[1, 3], [2, 3], [3, 3]]);
    assert.equal(progress[2].message, 'counted to 3');
    await client.close();
  });

  it('stops when the client cancels, and keeps serving', async () => {
    const client = await connect();
    const controller = new AbortController();
    const started = Date.now();
    const call = client.callTool({ name: 'count_slowly', arguments: { to: 1000, delay_ms: 50 } }, undefined, {
      signal: controller.signal,
      onprogress: () => controller.abort('enough'),
    });
    await assert.rejects(call);
    assert.ok(Date.now() - started < 5_000);
    const again = await client.callTool({ name: 'count_slowly', arguments: { to: 1, delay_ms: 1 } });
    assert.equal(again.content[0].text, 'Counted to 1.');
    await client.close();
  });

  it('asks the user to confirm before deleting', async () => {
    const asked = [];
    const client = await connect(async (request) => {
      asked.push(request.params);
      const count = Number(request.params.message.match(/Type (\d+)/)[1]);
      return { action: 'accept', content: { count } };
    });
    const result = await client.callTool({ name: 'delete_everything', arguments: {} });
    assert.equal(result.content[0].text, 'Deleted 42 items.');
    assert.equal(asked.length, 1);
    assert.equal(asked[0].requestedSchema.properties.count.type, 'integer');
    // Nothing left: the next confirmation is for 0 items; a declined one deletes nothing.
    const declining = await connect(async () => ({ action: 'decline' }));
    const declined = await declining.callTool({ name: 'delete_everything', arguments: {} });
    assert.equal(declined.content[0].text, 'Nothing was deleted: the user did not confirm.');
    await client.close();
    await declining.close();
  });

  it('refuses the destructive action for a client that cannot ask its user', async () => {
    const client = await connect();
    const result = await client.callTool({ name: 'delete_everything', arguments: {} });
    assert.equal(result.isError, true);
    assert.match(result.content[0].text, /does not support elicitation/);
    await client.close();
  });
});

describe('interactive example via the MCP Inspector CLI', { timeout: 60_000 }, () => {
  let server;
  before(async () => {
    server = await startServer('interactive');
  });
  after(async () => {
    await server?.stop();
  });

  it('calls count_slowly', async () => {
    const bin = path.join(E2E_DIR, 'node_modules', '.bin', 'mcp-inspector-cli');
    // inspector-cli 1.0.3 resolves its package.json from the working directory.
    const cwd = path.join(E2E_DIR, 'node_modules', '@modelcontextprotocol', 'inspector-cli', 'build');
    const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
    const args = ['--cli', server.url, '--transport', 'http', '--method', 'tools/call',
      '--tool-name', 'count_slowly', '--tool-arg', 'to=3', '--tool-arg', 'delay_ms=10'];
    const { stdout } = await execFileP(bin, args, { cwd, env, timeout: 60_000 });
    const result = JSON.parse(stdout);
    assert.equal(result.content[0].text, 'Counted to 3.');
  });
});

describe('graceful shutdown', { timeout: 60_000 }, () => {
  it('finishes the call in flight after SIGTERM, then stops', async () => {
    const server = await startServer('interactive');
    const client = new Client({ name: 'shutdown', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    const call = client.callTool({ name: 'count_slowly', arguments: { to: 5, delay_ms: 200 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    const result = await call;
    assert.equal(result.content[0].text, 'Counted to 5.');
    const exited = await new Promise((resolve) => {
      if (server.child.exitCode !== null) resolve(server.child.exitCode);
      server.child.once('exit', (code) => resolve(code));
    });
    assert.equal(exited, 0);
    await assert.rejects(fetch(server.url, { method: 'POST' }));
    await server.stop();
  });
});

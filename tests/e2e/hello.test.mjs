// End-to-end tests of the `hello` example over Streamable HTTP, driven by the
// official TypeScript SDK client and by the MCP Inspector CLI.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

import { E2E_DIR, startServer } from './lib/server.mjs';

const execFileP = promisify(execFile);
const SUITE_TIMEOUT_MS = 90_000;

describe('hello example via the TypeScript SDK client', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;
  let client;

  before(async () => {
    server = await startServer('hello');
    client = new Client({ name: 'e2e-hello', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  });

  after(async () => {
    await client?.close();
    await server?.stop();
  });

  it('reports server name "hello"', () => {
    const info = client.getServerVersion();
    assert.ok(info, 'server sent no serverInfo');
    assert.equal(info.name, 'hello');
  });

  it('lists the add tool with a strict integer schema', async () => {
    const { tools } = await client.listTools();
    const add = tools.find((t) => t.name === 'add');
    assert.ok(add, `no tool named add in ${JSON.stringify(tools.map((t) => t.name))}`);
    const schema = add.inputSchema;
    assert.equal(schema.type, 'object');
    assert.equal(schema.properties?.a?.type, 'integer');
    assert.equal(schema.properties?.b?.type, 'integer');
    assert.deepEqual([...(schema.required ?? [])].sort(), ['a', 'b']);
    assert.equal(schema.additionalProperties, false);
  });

  it('add(2, 3) returns "5"', async () => {
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    assert.deepEqual(result.content, [{ type: 'text', text: '5' }]);
    assert.ok(!result.isError, `unexpected isError: ${JSON.stringify(result)}`);
  });

  it('add with a non-integer argument is a tool error naming the argument', async () => {
    const result = await client.callTool({ name: 'add', arguments: { a: 'x', b: 3 } });
    assert.equal(result.isError, true, `expected isError: ${JSON.stringify(result)}`);
    const text = result.content
      .filter((c) => c.type === 'text')
      .map((c) => c.text)
      .join('\n');
    // `a` quoted, as "a:", after field/argument/parameter/property, or as JSON pointer "/a";
    // a bare word boundary would also accept the English article ("expected a integer").
    const mentionsA = /[`'"]a[`'"]|\ba:|\b(?:field|argument|arg|parameter|param|property)\s+[`'"]?a\b|\/a\b/;
    assert.match(text, mentionsA, `error text does not mention argument a: ${text}`);
  });

  it('calling an unknown tool is a JSON-RPC error -32602', async () => {
    await assert.rejects(client.callTool({ name: 'nope', arguments: {} }), (err) => {
      assert.ok(err instanceof McpError, `expected McpError, got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.code, ErrorCode.InvalidParams); // -32602
      assert.equal(err.code, -32602);
      return true;
    });
  });
});

describe('hello example via the MCP Inspector CLI', { timeout: SUITE_TIMEOUT_MS }, () => {
  let server;

  before(async () => {
    server = await startServer('hello');
  });

  after(async () => {
    await server?.stop();
  });

  it('inspector --cli tools/list lists add', async () => {
    const bin = path.join(E2E_DIR, 'node_modules', '.bin', 'mcp-inspector-cli');
    // inspector-cli 1.0.3 reads its own package.json via fs.existsSync("../package.json"),
    // which is relative to the *cwd*; run it from its build/ directory so that resolves.
    const cwd = path.join(E2E_DIR, 'node_modules', '@modelcontextprotocol', 'inspector-cli', 'build');
    // The bin (and the child it spawns) run `node` from PATH: use the node running the tests.
    const env = {
      ...process.env,
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    };
    const args = ['--cli', server.url, '--transport', 'http', '--method', 'tools/list'];
    let stdout;
    try {
      ({ stdout } = await execFileP(bin, args, { cwd, env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }));
    } catch (e) {
      assert.fail(`mcp-inspector-cli failed (${e.code ?? e.signal}):\n${e.stderr}\n${e.stdout}`);
    }
    let listed;
    try {
      listed = JSON.parse(stdout);
    } catch {
      assert.fail(`inspector stdout is not JSON:\n${stdout}`);
    }
    assert.ok(Array.isArray(listed.tools), `no tools array in ${stdout}`);
    assert.ok(
      listed.tools.some((t) => t.name === 'add'),
      `add not listed: ${JSON.stringify(listed.tools.map((t) => t.name))}`,
    );
  });
});

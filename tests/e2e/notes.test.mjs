// The `notes` example (shared state through State<T>, structured output through Json<T>)
// driven by the official TypeScript SDK client, which also validates structuredContent
// against the tool's outputSchema.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { startServer } from './lib/server.mjs';

describe('notes example via the TypeScript SDK client', { timeout: 60_000 }, () => {
  let server;
  let client;

  before(async () => {
    server = await startServer('notes');
    client = new Client({ name: 'e2e-notes', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  });

  after(async () => {
    await client?.close();
    await server?.stop();
  });

  it('lists the tools with camelCase arguments and an output schema', async () => {
    const { tools } = await client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    assert.deepEqual(Object.keys(byName).sort(), ['add_note', 'delete_note', 'list_notes']);
    assert.deepEqual(byName.delete_note.inputSchema.required, ['noteId']);
    assert.equal(byName.delete_note.annotations.destructiveHint, true);
    assert.equal(byName.list_notes.outputSchema.type, 'object');
    assert.ok(byName.list_notes.outputSchema.properties.notes);
  });

  it('keeps state across calls', async () => {
    const added = await client.callTool({ name: 'add_note', arguments: { text: 'buy milk' } });
    assert.match(added.content[0].text, /Added note 1/);
    await client.callTool({ name: 'add_note', arguments: { text: 'call mum' } });

    const listed = await client.callTool({ name: 'list_notes', arguments: {} });
    assert.deepEqual(listed.structuredContent, {
      notes: [{ id: 1, text: 'buy milk' }, { id: 2, text: 'call mum' }],
    });
    assert.deepEqual(JSON.parse(listed.content[0].text), listed.structuredContent);

    const deleted = await client.callTool({ name: 'delete_note', arguments: { noteId: 1 } });
    assert.equal(deleted.isError, undefined);
    const again = await client.callTool({ name: 'delete_note', arguments: { noteId: 1 } });
    assert.equal(again.isError, true);
    assert.match(again.content[0].text, /No note 1/);

    const after = await client.callTool({ name: 'list_notes', arguments: {} });
    assert.deepEqual(after.structuredContent, { notes: [{ id: 2, text: 'call mum' }] });
  });
});

// The documents examples' guarded resource template (`documents://{id}`, needs read:data) and
// prompt, end to end: the official TypeScript SDK client signs in through the real OAuth flow
// (oidc-provider standing in for the Auth0 tenant) as alice, who may read, and as carol, who
// holds no permission, and reads, lists, completes and gets prompts.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { startFakeAuth0 } from './lib/fake-auth0.mjs';
import { signIn } from './lib/oauth-client.mjs';
import { freePort, startServer } from './lib/server.mjs';

const USERS = {
  alice: { permissions: ['read:data', 'delete:documents'], email: 'alice@example.com', name: 'Alice Example' },
  carol: { permissions: [], email: 'carol@example.com', name: 'Carol Example' },
};

for (const [example, proxied] of [['auth0_proxy', true], ['auth0_dcr', false]]) {
  describe(`${example}: a guarded resource template and prompt`, { timeout: 120_000 }, () => {
    let fake;
    let server;
    let base;
    const loginOptions = () => (proxied ? { proxyOrigin: base } : {});

    before(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      // Proxied: the API is the tenant's own; with Auth0's registration, the MCP URL is the API.
      const audience = proxied ? 'https://documents.example/api' : `${base}/mcp`;
      fake = await startFakeAuth0({
        audience,
        clientId: 'regular-web-app',
        clientSecret: 'regular-web-app-secret',
        redirectUris: [`${base}/oauth/callback`],
        users: USERS,
      });
      const env = proxied
        ? { AUTH0_DOMAIN: fake.origin, AUTH0_CLIENT_ID: 'regular-web-app', AUTH0_CLIENT_SECRET: 'regular-web-app-secret', AUTH0_AUDIENCE: audience }
        : { AUTH0_DOMAIN: fake.origin, AUTH0_AUDIENCE: audience };
      server = await startServer(example, { PORT: String(port), ...env });
    });

    after(async () => {
      await server?.stop();
      await fake?.stop();
    });

    it('alice lists, reads and completes the documents, and gets the prompt', async () => {
      const { client } = await signIn(server.url, fake, 'alice', loginOptions());
      const capabilities = client.getServerCapabilities();
      assert.ok(capabilities.resources, 'resources are announced');
      assert.ok(capabilities.prompts, 'prompts are announced');
      assert.ok(capabilities.completions, 'completion is announced');

      const { resourceTemplates } = await client.listResourceTemplates();
      const template = resourceTemplates.find((t) => t.uriTemplate === 'documents://{id}');
      assert.ok(template, JSON.stringify(resourceTemplates));
      assert.equal(template.mimeType, 'text/plain');
      assert.deepEqual(template._meta['mcp-runtime/requires'], { allOf: ['read:data'] });

      const read = await client.readResource({ uri: 'documents://doc-2' });
      assert.deepEqual(read.contents, [{ uri: 'documents://doc-2', mimeType: 'text/plain', text: 'Meeting notes' }]);
      await assert.rejects(client.readResource({ uri: 'documents://doc-9' }), (err) => {
        assert.equal(err.code, -32002, String(err));
        return true;
      });

      const completed = await client.complete({
        ref: { type: 'ref/resource', uri: 'documents://{id}' },
        argument: { name: 'id', value: 'doc-' },
      });
      assert.deepEqual([...completed.completion.values].sort(), ['doc-1', 'doc-2', 'doc-3']);

      const { prompts } = await client.listPrompts();
      const prompt = prompts.find((p) => p.name === 'summarize-document');
      assert.deepEqual(prompt.arguments, [{ name: 'documentId', description: 'The id of the document to summarize.', required: true }]);
      const got = await client.getPrompt({ name: 'summarize-document', arguments: { documentId: 'doc-3' } });
      assert.equal(got.messages[0].content.type, 'resource_link');
      assert.equal(got.messages[0].content.uri, 'documents://doc-3');
      assert.match(got.messages[1].content.text, /Summarize this document/);
      await client.close();
    });

    // With Auth0's own registration the client asks for the API's scopes alone, and the
    // stand-in tenant (oidc-provider) refuses a sign-in that grants none of them, where Auth0
    // would issue a token without permissions: carol is tested through the proxy, which also
    // asks for the OpenID scopes.
    it('carol, without read:data, is refused the read, the prompt and the completion', { skip: !proxied }, async () => {
      const { client } = await signIn(server.url, fake, 'carol', loginOptions());
      const refused = (err) => {
        assert.match(String(err.message), /Forbidden: requires read:data/);
        return true;
      };
      await assert.rejects(client.readResource({ uri: 'documents://doc-2' }), refused);
      await assert.rejects(client.getPrompt({ name: 'summarize-document', arguments: { documentId: 'doc-2' } }), refused);
      await assert.rejects(client.complete({
        ref: { type: 'ref/resource', uri: 'documents://{id}' },
        argument: { name: 'id', value: 'doc-' },
      }), refused);
      // She still sees what exists, with what it requires: the denial mode is `tool_error`.
      const { resourceTemplates } = await client.listResourceTemplates();
      assert.ok(resourceTemplates.some((t) => t.uriTemplate === 'documents://{id}'));
      await client.close();
    });
  });
}

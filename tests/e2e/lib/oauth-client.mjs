// The official SDK client's OAuth flow, for the end-to-end tests: an OAuthClientProvider that
// keeps everything in memory, and a sign-in through a fake tenant's login as a given user.

import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

export const CLIENT_CALLBACK = 'http://127.0.0.1:9/callback'; // never contacted: the test reads the code from the redirect

/**
 * An OAuthClientProvider that keeps everything in memory and records the authorization URL.
 * With `clientMetadataUrl` (an https URL of a Client ID Metadata Document), the SDK uses that
 * URL as its client_id, instead of registering, when the server supports such documents.
 */
export function memoryProvider(name = 'e2e-client', { clientMetadataUrl } = {}) {
  const store = {};
  return {
    store,
    clientMetadataUrl,
    get redirectUrl() { return CLIENT_CALLBACK; },
    get clientMetadata() {
      return {
        client_name: name,
        redirect_uris: [CLIENT_CALLBACK],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      };
    },
    state: () => 'client-state-1',
    clientInformation: () => store.client,
    saveClientInformation: (client) => { store.client = client; },
    tokens: () => store.tokens,
    saveTokens: (tokens) => { store.tokens = tokens; },
    redirectToAuthorization: (url) => { store.authorizationUrl = url; },
    saveCodeVerifier: (verifier) => { store.verifier = verifier; },
    codeVerifier: () => store.verifier,
  };
}

/**
 * Runs the SDK's OAuth flow as `username` and returns a connected client.
 * `clientOptions`: `clientMetadataUrl` (see memoryProvider) and `fetch` (the SDK's fetch, for
 * its MCP and OAuth requests alike).
 */
export async function signIn(mcpUrl, fake, username, loginOptions = {}, clientOptions = {}) {
  const { clientMetadataUrl, fetch: sdkFetch } = clientOptions;
  const provider = memoryProvider(`e2e-${username}`, { clientMetadataUrl });
  const client = new Client({ name: `e2e-${username}`, version: '1.0.0' });
  const first = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: sdkFetch });
  await assert.rejects(client.connect(first), UnauthorizedError);
  assert.ok(provider.store.authorizationUrl, 'the SDK asked for a browser redirect');
  const result = await fake.loginAs(provider.store.authorizationUrl.href, username, {
    stopAt: CLIENT_CALLBACK,
    ...loginOptions,
  });
  assert.equal(result.error, undefined, `sign-in failed: ${result.error} ${result.error_description ?? ''}\n${result.steps.join('\n')}`);
  assert.equal(result.state, 'client-state-1');
  await first.finishAuth(result.code);
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: sdkFetch });
  await client.connect(transport);
  return { client, provider, result, transport };
}

export function text(result) {
  return result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}


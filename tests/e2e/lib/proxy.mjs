// `auth0_proxy` in front of the fake Auth0 tenant, set up as every test of the proxy needs it:
// the tenant's Regular Web Application allows the proxy's callback, and the proxy holds its
// credentials, and those of the API's Custom API client, which the On-Behalf-Of exchange needs
// (AUTH0_EXCHANGE_CLIENT_ID / AUTH0_EXCHANGE_CLIENT_SECRET).

import { API_CLIENT_ID, API_CLIENT_SECRET, startFakeAuth0 } from './fake-auth0.mjs';
import { freePort, startServer } from './server.mjs';

/** The API the tenant issues tokens for. */
export const AUDIENCE = 'https://documents.example/api';

/** The proxy's exchange settings by default: the tenant's Custom API client of AUDIENCE. */
export const EXCHANGE_CLIENT_ENV = {
  AUTH0_EXCHANGE_CLIENT_ID: API_CLIENT_ID,
  AUTH0_EXCHANGE_CLIENT_SECRET: API_CLIENT_SECRET,
};

/**
 * Starts the fake tenant, then `auth0_proxy` in front of it with `env` added to its
 * environment. The proxy exchanges tokens as the tenant's Custom API client (EXCHANGE_CLIENT_ENV);
 * `env` may replace those settings, or unset them with '' (the server reads an empty value as
 * unset, and then exchanges as AUTH0_CLIENT_ID, the Regular Web Application).
 *
 * Returns { fake, server, base, local, stop }: `base` is the URL clients and browsers use (the
 * public URL), `local` where the proxy really listens (http://127.0.0.1:<port>); they are the
 * same unless `publicUrl` is given.
 *
 * opts:
 *   publicUrl  (port) => the server's public URL, e.g. `https://localhost:${port}`: the proxy
 *              gets it as MCP_PUBLIC_URL and the tenant allows `${publicUrl}/oauth/callback`.
 *              Nothing listens there with TLS: the test maps it to `local` itself.
 */
export async function startProxyWithTenant(env = {}, { publicUrl } = {}) {
  const port = await freePort();
  const local = `http://127.0.0.1:${port}`;
  const base = publicUrl ? publicUrl(port).replace(/\/+$/, '') : local;
  const fake = await startFakeAuth0({
    audience: AUDIENCE,
    clientId: 'regular-web-app',
    clientSecret: 'regular-web-app-secret',
    redirectUris: [`${base}/oauth/callback`],
  });
  let server;
  try {
    server = await startServer('auth0_proxy', {
      PORT: String(port),
      AUTH0_DOMAIN: fake.origin,
      AUTH0_CLIENT_ID: 'regular-web-app',
      AUTH0_CLIENT_SECRET: 'regular-web-app-secret',
      AUTH0_AUDIENCE: AUDIENCE,
      ...EXCHANGE_CLIENT_ENV,
      ...(publicUrl ? { MCP_PUBLIC_URL: base } : {}),
      ...env,
    });
  } catch (e) {
    await fake.stop();
    throw e;
  }
  return {
    fake,
    server,
    base,
    local,
    async stop() {
      await server.stop();
      await fake.stop();
    },
  };
}

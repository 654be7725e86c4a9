// A fake Auth0 tenant for end-to-end tests: a real, certified OpenID provider
// (the npm package `oidc-provider`, pinned in package.json) configured to
// behave like Auth0 where our code can see it. Everything runs in-process on
// 127.0.0.1; nothing leaves the machine.
//
//   const auth0 = await startFakeAuth0({
//     audience: 'https://api.example.com/',
//     clientId: 'proxy-client', clientSecret: 's3cret',
//     redirectUris: ['http://127.0.0.1:4321/oauth/callback'],
//   });
//   auth0.issuer   // 'http://127.0.0.1:PORT/'   (trailing slash, like Auth0)
//   auth0.origin   // 'http://127.0.0.1:PORT'
//   const { code, state } = await auth0.loginAs(authorizeUrl, 'alice');
//   await auth0.stop();
//
// What it mimics:
// - Auth0's endpoint paths: /authorize, /oauth/token, /.well-known/jwks.json,
//   /oidc/register, /userinfo, /oauth/revoke, /oauth/par, /oidc/logout, and
//   discovery at /.well-known/openid-configuration, also served at
//   /.well-known/oauth-authorization-server (RFC 8414).
// - PKCE with S256 is required for every authorization request (`plain` is
//   not supported at all).
// - One pre-registered confidential "Regular Web Application" (clientId /
//   clientSecret / redirectUris); client_secret_post and client_secret_basic
//   both work.
// - One pre-registered "Custom API client" of the API (`audience`): Auth0's
//   confidential client of app_type `resource_server` whose
//   `resource_server_identifier` is the API, with On-Behalf-Of token exchange
//   enabled (Auth0: token_exchange.allow_any_profile_of_type
//   ['on_behalf_of_token_exchange']). Its id and secret are API_CLIENT_ID /
//   API_CLIENT_SECRET unless `apiClientId` / `apiClientSecret` say otherwise;
//   client_secret_post, and the token-exchange grant only.
// - Open dynamic client registration (no initial access token); public
//   clients (token_endpoint_auth_method "none") with http://127.0.0.1 redirect
//   URIs are fine. Registrations default to client_secret_post and the
//   authorization_code + refresh_token grants. A `scope` member in the
//   registration is ignored (dropped), as MCP clients send API scopes there.
// - setRedirectUris(uris) changes the pre-registered client's redirect URIs
//   later (e.g. once the Rust proxy's port is known).
// - A GET /authorize without `scope` is treated as scope=openid.
// - The API is selected with Auth0's `audience` authorization parameter, or
//   with RFC 8707 `resource` (Auth0's "resource parameter compatibility
//   profile"). `audience` wins when both are given. Any other resource value
//   is refused (invalid_target) unless listed in `resourceAliases`.
// - Access tokens for the API are RS256 JWTs (header typ "JWT" like Auth0,
//   configurable) with iss (trailing slash), aud (the audience, or
//   [audience, ISSUER + 'userinfo'] when `openid` was granted, like Auth0),
//   sub ('auth0|alice'), azp, client_id, iat, exp, jti, scope (granted OIDC
//   scopes + granted API scopes) and permissions (Auth0 RBAC, "add permissions
//   in the access token"). With RBAC on (default), API scopes are granted only
//   if the user has that permission.
// - Without audience/resource the access token is opaque (only good for
//   /userinfo), like Auth0.
// - A refresh token is issued for every authorization_code grant of a client
//   allowed the refresh_token grant (no offline_access needed); rotation is on,
//   and reusing a rotated refresh token fails (invalid_grant).
// - Login and consent are headless: GET /interaction/:uid shows a tiny login
//   form, POST /interaction/:uid/login with `username` logs that user in and
//   grants consent at once (first-party app: no consent screen). A later
//   consent-only prompt is granted automatically.
// - On-Behalf-Of token exchange (RFC 8693), with Auth0's rules: only the
//   Custom API client, authenticated, may POST /oauth/token
//   with grant_type=urn:ietf:params:oauth:grant-type:token-exchange,
//   subject_token (an unexpired access token of this tenant for the client's
//   own API, `resource_server_identifier` = `audience`, signature checked with
//   the tenant's key), subject_token_type
//   urn:ietf:params:oauth:token-type:access_token, `audience` (one of
//   `downstreamApis`, default https://documents-api.example/) and `scope`. It
//   gets an RS256 JWT for that audience, for the same user, with the requested
//   scopes that the user holds for that API (per-API RBAC: a user's
//   `apiPermissions[identifier]`), `act: { sub: <client_id> }`, and the answer
//   lists the scopes issued (possibly none: `scope: ""`). Any other client (the
//   Regular Web Application, a registered one, a public one) gets 403
//   unauthorized_client ("the client is not allowed to use On-Behalf-Of token
//   exchange"), whether its grant_types list the grant or not. A bad subject
//   token (or one for another API than the client's) is invalid_grant, an
//   unknown audience invalid_target. Every exchange request is kept in
//   `exchanges`.
//
// Set MCP_E2E_VERBOSE=1 to log requests and provider errors to stderr.

import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';

import { jwtVerify, SignJWT } from 'jose';
import Provider, { errors as oidcErrors } from 'oidc-provider';

const HOST = '127.0.0.1';
const VERBOSE = process.env.MCP_E2E_VERBOSE === '1';
const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const API_SCOPES = 'read:data delete:documents';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** The downstream API that On-Behalf-Of exchanges may ask for, unless `downstreamApis` is given. */
export const DOCUMENTS_API = 'https://documents-api.example/';
const DEFAULT_DOWNSTREAM_APIS = { [DOCUMENTS_API]: { scopes: API_SCOPES } };
/** The pre-registered Custom API client of the tenant's API (`audience`): the one client that may exchange. */
export const API_CLIENT_ID = 'documents-mcp-api-client';
export const API_CLIENT_SECRET = 'documents-mcp-api-client-secret';
/** Auth0's client metadata for a Custom API client (app_type resource_server). */
const CUSTOM_API_METADATA = ['app_type', 'resource_server_identifier', 'token_exchange'];
const ON_BEHALF_OF = 'on_behalf_of_token_exchange';
const NOT_ALLOWED_TO_EXCHANGE = 'the client is not allowed to use On-Behalf-Of token exchange';

// `permissions`: on the tenant's API (`audience`); `apiPermissions`: on each downstream API.
const DEFAULT_USERS = {
  alice: {
    permissions: ['read:data', 'delete:documents'],
    apiPermissions: { [DOCUMENTS_API]: ['read:data', 'delete:documents'] },
    email: 'alice@example.com',
    email_verified: true,
    name: 'Alice Example',
    nickname: 'alice',
    picture: 'https://example.com/alice.png',
  },
  bob: {
    permissions: ['read:data'],
    apiPermissions: { [DOCUMENTS_API]: ['read:data'] },
    email: 'bob@example.com',
    email_verified: true,
    name: 'Bob Example',
    nickname: 'bob',
    picture: 'https://example.com/bob.png',
  },
  // May delete at the MCP server, but not at the documents API: her exchange yields no delete:documents.
  carol: {
    permissions: ['read:data', 'delete:documents'],
    apiPermissions: { [DOCUMENTS_API]: ['read:data'] },
    email: 'carol@example.com',
    email_verified: true,
    name: 'Carol Example',
    nickname: 'carol',
    picture: 'https://example.com/carol.png',
  },
};

function log(...args) {
  if (VERBOSE) console.error('[fake-auth0]', ...args);
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

/** Normalizes the `users` option to Map(username -> user). */
function normalizeUsers(users) {
  const entries = Array.isArray(users)
    ? users.map((u) => [u.username, u])
    : Object.entries(users ?? DEFAULT_USERS);
  const map = new Map();
  for (const [username, u] of entries) {
    if (!username) throw new TypeError('fake-auth0: every user needs a username');
    map.set(username, {
      nickname: username,
      email_verified: true,
      ...u,
      username,
      sub: u.sub ?? `auth0|${username}`,
      permissions: [...(u.permissions ?? [])],
      apiPermissions: Object.fromEntries(
        Object.entries(u.apiPermissions ?? {}).map(([api, perms]) => [api, [...perms]]),
      ),
    });
  }
  return map;
}

/** Claims of `user` that the OIDC `scopes` release (Auth0's standard claims). */
function userClaims(user, scopes) {
  const out = { sub: user.sub };
  if (scopes.has('profile')) {
    for (const k of ['name', 'nickname', 'picture', 'given_name', 'family_name', 'updated_at']) {
      if (user[k] !== undefined) out[k] = user[k];
    }
    if (out.updated_at === undefined) out.updated_at = new Date(0).toISOString();
  }
  if (scopes.has('email')) {
    if (user.email !== undefined) out.email = user.email;
    if (user.email_verified !== undefined) out.email_verified = user.email_verified;
  }
  return out;
}

/** A small in-memory adapter (one store per provider instance), with expiry. */
function memoryAdapterFactory() {
  const store = new Map(); // key -> { payload, exp (ms or Infinity) }
  const grants = new Map(); // grantId -> Set(key)
  const byUid = new Map();
  const byUserCode = new Map();
  const get = (key) => {
    const e = store.get(key);
    if (!e) return undefined;
    if (e.exp <= Date.now()) { store.delete(key); return undefined; }
    return e.payload;
  };
  return class MemoryAdapter {
    constructor(model) { this.model = model; }

    key(id) { return `${this.model}:${id}`; }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      const exp = typeof expiresIn === 'number' ? Date.now() + (expiresIn + 15) * 1000 : Infinity;
      store.set(key, { payload, exp });
      if (payload.grantId) {
        if (!grants.has(payload.grantId)) grants.set(payload.grantId, new Set());
        grants.get(payload.grantId).add(key);
      }
      if (this.model === 'Session' && payload.uid) byUid.set(payload.uid, id);
      if (payload.userCode) byUserCode.set(payload.userCode, id);
    }

    async find(id) { return get(this.key(id)); }

    async findByUid(uid) { const id = byUid.get(uid); return id && this.find(id); }

    async findByUserCode(code) { const id = byUserCode.get(code); return id && this.find(id); }

    async consume(id) {
      const p = get(this.key(id));
      if (p) p.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id) { store.delete(this.key(id)); }

    async revokeByGrantId(grantId) {
      for (const key of grants.get(grantId) ?? []) store.delete(key);
      grants.delete(grantId);
    }
  };
}

async function readBody(req, limit = 64 * 1024) {
  const chunks = [];
  let n = 0;
  for await (const c of req) {
    n += c.length;
    if (n > limit) throw new Error('request body too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A stand-in for `req` (already read) whose body is `body`, for the provider to read again. */
function withBody(req, body) {
  const buf = Buffer.from(body, 'utf8');
  const fake = Readable.from([buf]);
  const headers = { ...req.headers, 'content-length': String(buf.length) };
  delete headers['transfer-encoding'];
  return Object.assign(fake, {
    headers,
    rawHeaders: req.rawHeaders,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    connection: req.socket,
  });
}

function sendHtml(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function sendJson(res, status, obj, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(obj));
}

/**
 * Starts the fake Auth0 tenant.
 *
 * @param {object} options
 * @param {string} options.audience         the API identifier (Auth0 "audience"); the `aud` of its access tokens
 * @param {string} options.clientId         the pre-registered confidential client's id
 * @param {string} options.clientSecret     ... and its secret
 * @param {string[]} [options.redirectUris] ... and its redirect URIs
 * @param {string} [options.apiClientId]    the Custom API client's id (the API's own client, the one that may
 *                                          exchange), default API_CLIENT_ID
 * @param {string} [options.apiClientSecret] ... and its secret, default API_CLIENT_SECRET
 * @param {object|object[]} [options.users] username -> { permissions, apiPermissions?, email, name, nickname, picture,
 *                                          email_verified, sub? } (or an array of such objects with a `username`);
 *                                          default alice, bob and carol. `apiPermissions`: downstream API identifier
 *                                          -> permissions there (none when absent)
 * @param {string} [options.apiScopes]      the API's scopes (space-separated), default 'read:data delete:documents'
 * @param {boolean} [options.rbac]          grant API scopes only if the user has that permission (default true)
 * @param {boolean} [options.defaultAudience] use `audience` when a request names no audience/resource (Auth0's
 *                                          tenant "Default Audience"); default false (opaque token then)
 * @param {string[]} [options.resourceAliases] other `resource` values that also select the API (aud stays `audience`)
 * @param {number} [options.accessTokenTTL] seconds, default 3600
 * @param {number} [options.refreshTokenTTL] seconds, default 30 days
 * @param {string} [options.accessTokenTyp] JWT header typ of access tokens, default 'JWT' (Auth0); 'at+jwt' for RFC 9068
 * @param {object} [options.downstreamApis] identifier -> { scopes: 'a b' }: the APIs an On-Behalf-Of exchange may ask
 *                                          for; default { 'https://documents-api.example/': { scopes: apiScopes default } }
 * @param {number} [options.exchangeTokenTTL] seconds, lifetime of exchanged tokens, default 300
 * @param {number} [options.port]           default: a free port
 */
export async function startFakeAuth0({
  audience,
  clientId,
  clientSecret,
  redirectUris = [],
  apiClientId = API_CLIENT_ID,
  apiClientSecret = API_CLIENT_SECRET,
  users,
  apiScopes = API_SCOPES,
  rbac = true,
  defaultAudience = false,
  resourceAliases = [],
  accessTokenTTL = 3600,
  refreshTokenTTL = 30 * 24 * 3600,
  accessTokenTyp = 'JWT',
  downstreamApis = DEFAULT_DOWNSTREAM_APIS,
  exchangeTokenTTL = 300,
  port = 0,
} = {}) {
  if (!audience) throw new TypeError('fake-auth0: `audience` is required');
  if (apiClientId && apiClientId === clientId) {
    throw new TypeError('fake-auth0: the Custom API client needs an id of its own (`apiClientId`)');
  }
  const userMap = normalizeUsers(users);
  const userBySub = new Map([...userMap.values()].map((u) => [u.sub, u]));
  const apiScopeSet = new Set(apiScopes.split(' ').filter(Boolean));
  const apiIdentifiers = new Set([audience, ...resourceAliases]);
  const downstream = new Map(Object.entries(downstreamApis).map(([id, api]) => [
    id, new Set(String(api?.scopes ?? '').split(' ').filter(Boolean)),
  ]));
  /** Every token-exchange request that reached the token endpoint, oldest first. */
  const exchanges = [];

  // Listen first: the issuer needs the port.
  let handler = (req, res) => { res.statusCode = 503; res.end(); };
  const server = http.createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => { server.off('error', reject); resolve(); });
  });
  const actualPort = server.address().port;
  const origin = `http://${HOST}:${actualPort}`;
  const issuer = `${origin}/`;
  const userinfoAudience = `${issuer}userinfo`;

  // RS256 signing key, published at /.well-known/jwks.json.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

  const apiInfo = {
    scope: [...apiScopeSet].join(' '),
    audience,
    accessTokenFormat: 'jwt',
    accessTokenTTL,
    jwt: { sign: { alg: 'RS256', kid } },
  };

  const ttl = {
    AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTTL,
    AuthorizationCode: 60,
    ClientCredentials: accessTokenTTL,
    DeviceCode: 600,
    BackchannelAuthenticationRequest: 600,
    PreAuthorizedCode: 600,
    Grant: refreshTokenTTL,
    IdToken: 36000,
    Interaction: 3600,
    RefreshToken: refreshTokenTTL,
    Session: 3 * 24 * 3600,
  };

  const configuration = {
    adapter: memoryAdapterFactory(),
    jwks: { keys: [signingJwk] },
    // The pre-registered client lives in the adapter (not `clients`) so that setRedirectUris() can change it.
    clients: [],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    // Auth0's Custom API client settings. Only pre-registered clients carry them: the
    // registration endpoint drops them (see the handler), as Auth0's DCR makes no API clients.
    extraClientMetadata: {
      properties: CUSTOM_API_METADATA,
      validator(ctx, key, value) {
        if (value === undefined) return;
        if (key === 'token_exchange') {
          if (!Array.isArray(value?.allow_any_profile_of_type)) {
            throw new oidcErrors.InvalidClientMetadata('token_exchange.allow_any_profile_of_type must be an array');
          }
        } else if (typeof value !== 'string') {
          throw new oidcErrors.InvalidClientMetadata(`${key} must be a string`);
        }
      },
    },
    clientBasedCORS: () => true,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: OIDC_SCOPES,
    claims: {
      openid: ['sub'],
      profile: ['name', 'nickname', 'picture', 'given_name', 'family_name', 'updated_at'],
      email: ['email', 'email_verified'],
    },
    conformIdTokenClaims: false, // Auth0 puts profile claims in the ID token
    extraParams: ['audience'],
    routes: {
      authorization: '/authorize',
      token: '/oauth/token',
      jwks: '/.well-known/jwks.json',
      registration: '/oidc/register',
      userinfo: '/userinfo',
      revocation: '/oauth/revoke',
      pushed_authorization_request: '/oauth/par',
      end_session: '/oidc/logout',
    },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      registration: {
        enabled: true,
        initialAccessToken: false,
        issueRegistrationAccessToken: false,
      },
      revocation: { enabled: true, allowedPolicy: async () => true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><html><body>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Log out</button></body></html>`;
        },
        postLogoutSuccessSource: async (ctx) => { ctx.body = '<!DOCTYPE html><html><body>Logged out</body></html>'; },
      },
      resourceIndicators: {
        enabled: true,
        // Auth0's `audience` parameter (no `resource` given), else the tenant's default audience.
        defaultResource: async (ctx, client, oneOf) => {
          if (oneOf) return oneOf[0];
          const aud = ctx.oidc.params?.audience;
          if (aud) return aud;
          return defaultAudience ? audience : undefined;
        },
        // The token endpoint keeps issuing for the API the code/refresh token was for, even with `openid`.
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, indicator) => {
          if (apiIdentifiers.has(indicator)) return apiInfo;
          throw new oidcErrors.InvalidTarget(`Service not found: ${indicator}`);
        },
      },
    },
    // Refresh tokens without offline_access, rotated on every use.
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    expiresWithSession: async () => false,
    ttl,
    formats: {
      customizers: {
        async jwt(ctx, token, jwt) {
          if (!token.resourceServer) return;
          const { payload } = jwt;
          jwt.header = { typ: accessTokenTyp };
          const user = userBySub.get(token.accountId);
          const source = ctx?.oidc?.entities?.AuthorizationCode ?? ctx?.oidc?.entities?.RefreshToken;
          const sourceScopes = new Set(source?.scope?.split(' ') ?? []);
          const oidcGranted = OIDC_SCOPES.filter((s) => sourceScopes.has(s));
          const apiGranted = (token.scope ?? '').split(' ').filter(Boolean);
          const scope = [...oidcGranted, ...apiGranted].join(' ');
          payload.scope = scope || undefined;
          payload.azp = token.clientId;
          payload.permissions = user ? [...user.permissions].filter((p) => apiScopeSet.has(p)) : [];
          if (oidcGranted.includes('openid')) payload.aud = [audience, userinfoAudience];
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (ctx, sub) => {
      const user = userBySub.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async (use, scope) => userClaims(user, new Set(String(scope ?? '').split(' '))),
      };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Error</h1>${
        Object.entries(out).map(([k, v]) => `<p><b>${escapeHtml(k)}</b>: <span class="${escapeHtml(k)}">${escapeHtml(v)}</span></p>`).join('')
      }</body></html>`;
    },
  };

  const provider = new Provider(issuer, configuration);

  // On-Behalf-Of (RFC 8693), registered before any client is loaded: a client's grant_types
  // may name only grant types the provider knows.
  const exchangeRecords = new WeakMap(); // ctx -> its entry in `exchanges`
  const exchangeFailure = (error, description) => new oidcErrors.CustomOIDCProviderError(error, description);
  // Auth0 answers 403 unauthorized_client to any client but a Custom API client.
  const notAllowedToExchange = () => Object.assign(exchangeFailure('unauthorized_client', NOT_ALLOWED_TO_EXCHANGE), {
    status: 403, statusCode: 403,
  });
  /**
   * Auth0's Custom API client: confidential, app_type resource_server, tied to an API of this
   * tenant, with On-Behalf-Of exchange enabled. Returns the API's identifier, or undefined.
   */
  const customApiOf = (client) => {
    if (client.clientAuthMethod === 'none' || !client.clientSecret) return undefined;
    if (client.app_type !== 'resource_server') return undefined;
    if (!client.token_exchange?.allow_any_profile_of_type?.includes(ON_BEHALF_OF)) return undefined;
    const api = client.resource_server_identifier;
    return api === audience ? api : undefined;
  };
  provider.registerGrantType(TOKEN_EXCHANGE, async (ctx) => {
    const { client, params } = ctx.oidc;
    const record = {
      subjectSub: undefined,
      subjectToken: params.subject_token,
      audience: params.audience ?? params.resource,
      scope: params.scope,
      granted: [],
      clientId: client.clientId,
      at: Date.now(),
      error: undefined,
      accessToken: undefined,
    };
    exchanges.push(record);
    exchangeRecords.set(ctx, record);

    // Only the Custom API client of an API of this tenant, which has just authenticated (client
    // auth ran before us). A client whose grant_types do not list the grant never gets here: the
    // provider refuses it first, and the middleware below gives it Auth0's answer.
    const ownApi = customApiOf(client);
    if (!ownApi) throw notAllowedToExchange();
    if (!params.subject_token) throw new oidcErrors.InvalidRequest('missing required parameter: subject_token');
    if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
      throw new oidcErrors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
    }
    if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
      throw new oidcErrors.InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
    }
    if (params.actor_token !== undefined || params.actor_token_type !== undefined) {
      throw new oidcErrors.InvalidRequest('actor_token is not supported');
    }
    const target = params.audience ?? params.resource;
    if (!target) throw new oidcErrors.InvalidRequest('missing required parameter: audience');

    // The subject: an unexpired access token of this tenant, for the client's own API (not a
    // token already exchanged for another API, nor one of another issuer).
    let subject;
    try {
      ({ payload: subject } = await jwtVerify(params.subject_token, publicKey, {
        issuer, audience: ownApi, algorithms: ['RS256'],
      }));
    } catch (err) {
      throw exchangeFailure('invalid_grant', `Invalid subject token: ${err.message}`);
    }
    const user = userBySub.get(subject.sub);
    if (!user) throw exchangeFailure('invalid_grant', 'Invalid subject token: unknown user');
    record.subjectSub = user.sub;

    const apiScopes = downstream.get(target);
    if (!apiScopes) throw new oidcErrors.InvalidTarget(`Service not found: ${target}`);

    // Auth0 issues the requested scopes that the user holds for that API (RBAC), maybe none.
    const requested = [...new Set(String(params.scope ?? '').split(' ').filter(Boolean))];
    const held = new Set(user.apiPermissions[target] ?? []);
    const granted = requested.filter((s) => apiScopes.has(s) && (!rbac || held.has(s)));
    record.granted = granted;

    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({
      scope: granted.join(' '),
      permissions: granted,
      azp: client.clientId,
      client_id: client.clientId,
      act: { sub: client.clientId },
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: accessTokenTyp })
      .setIssuer(issuer)
      .setSubject(user.sub)
      .setAudience(target)
      .setIssuedAt(now)
      .setExpirationTime(now + exchangeTokenTTL)
      .setJti(randomUUID())
      .sign(privateKey);
    record.accessToken = accessToken;
    log('token exchange', user.username, 'for', target, 'granted', granted.join(' ') || '(none)');
    ctx.body = {
      access_token: accessToken,
      token_type: 'Bearer',
      issued_token_type: ACCESS_TOKEN_TYPE,
      expires_in: exchangeTokenTTL,
      scope: granted.join(' '),
    };
  }, ['subject_token', 'subject_token_type', 'audience', 'resource', 'scope', 'requested_token_type',
    'actor_token', 'actor_token_type']);
  // Failures, including those before the handler (client authentication), are recorded too.
  provider.on('grant.error', (ctx, err) => {
    if (ctx?.oidc?.params?.grant_type !== TOKEN_EXCHANGE) return;
    let record = exchangeRecords.get(ctx);
    if (!record) {
      record = {
        subjectSub: undefined,
        subjectToken: ctx.oidc.params.subject_token,
        audience: ctx.oidc.params.audience ?? ctx.oidc.params.resource,
        scope: ctx.oidc.params.scope,
        granted: [],
        clientId: ctx.oidc.params.client_id ?? ctx.oidc.client?.clientId,
        at: Date.now(),
        error: undefined,
        accessToken: undefined,
      };
      exchanges.push(record);
      exchangeRecords.set(ctx, record);
    }
    record.error = err?.error ?? err?.message ?? 'error';
    record.granted = [];
    record.accessToken = undefined;
  });
  const webAppMetadata = (uris) => ({
    client_id: clientId,
    client_secret: clientSecret,
    client_name: 'Regular Web Application',
    application_type: 'web',
    token_endpoint_auth_method: 'client_secret_post',
    // No On-Behalf-Of: Auth0 allows it to Custom API clients only.
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [...uris],
  });
  let currentRedirectUris = [...redirectUris];
  if (clientId) await provider.Client.adapter.upsert(clientId, webAppMetadata(currentRedirectUris));
  // The Custom API client of the tenant's API: Auth0's app_type resource_server, with
  // resource_server_identifier = the API, and On-Behalf-Of token exchange on.
  if (apiClientId) {
    await provider.Client.adapter.upsert(apiClientId, {
      client_id: apiClientId,
      client_secret: apiClientSecret,
      client_name: 'Custom API client',
      application_type: 'web',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: [TOKEN_EXCHANGE],
      response_types: [],
      redirect_uris: [],
      app_type: 'resource_server',
      resource_server_identifier: audience,
      token_exchange: { allow_any_profile_of_type: [ON_BEHALF_OF] },
    });
    await provider.Client.find(apiClientId); // its metadata is valid (throws otherwise)
  }
  provider.silent = !VERBOSE; // Koa's default error logger
  if (VERBOSE) {
    for (const ev of ['server_error', 'authorization.error', 'grant.error', 'registration_create.error',
      'userinfo.error', 'revocation.error', 'end_session.error', 'pushed_authorization_request.error']) {
      provider.on(ev, (ctx, err) => log(ev, err?.name, err?.message, err?.error_description ?? ''));
    }
  }
  // Auth0's token response lists the same scopes as the access token (OIDC ones included).
  provider.use(async (ctx, next) => {
    await next();
    // Auth0 refuses On-Behalf-Of to a client that may not use it with 403 unauthorized_client,
    // also when its grant_types lack the grant (where the provider says 400 invalid_request).
    if (ctx.path === '/oauth/token' && ctx.status === 400 && ctx.oidc?.params?.grant_type === TOKEN_EXCHANGE
      && ctx.body?.error === 'invalid_request'
      && ctx.body.error_description === 'requested grant type is not allowed for this client') {
      ctx.status = 403;
      ctx.body = { error: 'unauthorized_client', error_description: NOT_ALLOWED_TO_EXCHANGE };
      const record = exchangeRecords.get(ctx);
      if (record) record.error = 'unauthorized_client';
    }
    if (ctx.path === '/oauth/token' && ctx.status === 200 && typeof ctx.body?.access_token === 'string') {
      const parts = ctx.body.access_token.split('.');
      if (parts.length === 3) {
        try {
          const { scope } = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
          if (typeof scope === 'string') ctx.body.scope = scope;
        } catch { /* not ours */ }
      }
    }
  });
  const providerCallback = provider.callback();

  /** The consent Auth0 gives a first-party app: all requested OIDC scopes, API scopes per RBAC. */
  async function grantFor(details, accountId) {
    const { params } = details;
    const user = userBySub.get(accountId);
    let grant;
    if (details.grantId && details.session?.accountId === accountId) {
      grant = await provider.Grant.find(details.grantId);
    }
    grant ??= new provider.Grant({ accountId, clientId: params.client_id });
    const requested = new Set(String(params.scope ?? '').split(' ').filter(Boolean));
    const oidc = OIDC_SCOPES.filter((s) => requested.has(s));
    if (oidc.length) grant.addOIDCScope(oidc.join(' '));
    let indicators = [params.resource].flat().filter(Boolean);
    if (!indicators.length && params.audience) indicators = [params.audience];
    for (const indicator of indicators) {
      if (!apiIdentifiers.has(indicator)) continue;
      const wanted = [...requested].filter((s) => apiScopeSet.has(s));
      const allowed = wanted.filter((s) => !rbac || user?.permissions.includes(s));
      const refused = wanted.filter((s) => !allowed.includes(s));
      if (allowed.length) grant.addResourceScope(indicator, allowed.join(' '));
      if (refused.length) grant.rejectResourceScope(indicator, refused.join(' '));
    }
    return grant.save();
  }

  function loginPage(uid, details, message) {
    const client = escapeHtml(details.params.client_id);
    const options = [...userMap.keys()]
      .map((u) => `<option value="${escapeHtml(u)}">${escapeHtml(u)}</option>`).join('');
    return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Log in | fake Auth0</title></head>
<body>
<h1>Log in to continue to ${client}</h1>
${message ? `<p class="error">${escapeHtml(message)}</p>` : ''}
<form id="login" method="post" action="/interaction/${escapeHtml(uid)}/login">
  <input type="hidden" name="uid" value="${escapeHtml(uid)}">
  <label>Username <select name="username">${options}</select></label>
  <button type="submit">Continue</button>
</form>
<form id="abort" method="post" action="/interaction/${escapeHtml(uid)}/abort">
  <button type="submit">Cancel</button>
</form>
</body></html>`;
  }

  async function handleInteraction(req, res, url) {
    const m = /^\/interaction\/([^/]+)(?:\/(login|abort))?\/?$/.exec(url.pathname);
    if (!m) return sendHtml(res, 404, 'not found');
    const [, uid, action] = m;
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch (err) {
      log('interaction lookup failed', err.message);
      return sendHtml(res, 400, `<!DOCTYPE html><html><body><h1>Error</h1><p>${escapeHtml(err.message)}</p></body></html>`);
    }
    if (details.uid !== uid) return sendHtml(res, 400, 'interaction mismatch');

    if (!action && req.method === 'GET') {
      if (details.prompt.name === 'login') return sendHtml(res, 200, loginPage(uid, details));
      // Consent only (the user already has a session): first-party apps skip consent on Auth0.
      const accountId = details.session?.accountId;
      const grantId = await grantFor(details, accountId);
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    if (req.method !== 'POST') return sendHtml(res, 405, 'method not allowed');

    const form = new URLSearchParams(await readBody(req));
    if (action === 'abort') {
      return provider.interactionFinished(req, res, {
        error: 'access_denied', error_description: 'End-User aborted interaction',
      }, { mergeWithLastSubmission: false });
    }
    // action === 'login'
    const user = userMap.get(form.get('username') ?? '');
    if (!user) {
      return provider.interactionFinished(req, res, {
        error: 'access_denied', error_description: 'Wrong email or password.',
      }, { mergeWithLastSubmission: false });
    }
    const grantId = await grantFor(details, user.sub);
    log('login', user.username, 'client', details.params.client_id);
    return provider.interactionFinished(req, res, {
      login: { accountId: user.sub },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  }

  /** Auth0 accepts its API (JWT) access tokens at /userinfo when they carry `openid`. */
  async function handleJwtUserinfo(req, res, token) {
    const challenge = (error, desc) => ({
      'www-authenticate': `Bearer realm="${issuer}", error="${error}", error_description="${desc}"`,
    });
    let payload;
    try {
      ({ payload } = await jwtVerify(token, publicKey, { issuer, algorithms: ['RS256'] }));
    } catch (err) {
      return sendJson(res, 401, { error: 'invalid_token', error_description: err.message },
        challenge('invalid_token', 'invalid token'));
    }
    const scopes = new Set(String(payload.scope ?? '').split(' '));
    const auds = [payload.aud].flat();
    if (!scopes.has('openid') || !auds.includes(userinfoAudience)) {
      return sendJson(res, 403, { error: 'insufficient_scope', error_description: 'openid scope required' },
        challenge('insufficient_scope', 'openid scope required'));
    }
    const user = userBySub.get(payload.sub);
    if (!user) return sendJson(res, 401, { error: 'invalid_token' }, challenge('invalid_token', 'unknown user'));
    return sendJson(res, 200, userClaims(user, scopes));
  }

  handler = async (req, res) => {
    const url = new URL(req.url, origin);
    log(req.method, url.pathname + url.search);
    try {
      if (url.pathname.startsWith('/interaction/')) return await handleInteraction(req, res, url);

      if (url.pathname === '/.well-known/oauth-authorization-server') {
        req.url = `/.well-known/openid-configuration${url.search}`;
        return providerCallback(req, res);
      }

      if (url.pathname === '/authorize' && req.method === 'GET') {
        let changed = false;
        // Auth0's `audience` selects the API (and wins over `resource`).
        const aud = url.searchParams.get('audience');
        if (aud) {
          url.searchParams.delete('resource');
          url.searchParams.set('resource', aud);
          changed = true;
        }
        // A request without `scope` gets `openid` (else oidc-provider refuses a grant with no scope).
        if (!url.searchParams.get('scope') && !url.searchParams.has('request_uri')) {
          url.searchParams.set('scope', 'openid');
          changed = true;
        }
        if (changed) req.url = url.pathname + url.search;
      }

      // Auth0's DCR keeps no client-level `scope` restriction; oidc-provider would refuse API scopes
      // there ("scope must only contain Authorization Server supported scope values") and would
      // restrict the client to the OIDC scopes listed. MCP clients send e.g. scope: "read:data",
      // so the member is dropped. So are Auth0's Custom API client settings: a registered client
      // is never one.
      if (url.pathname === '/oidc/register' && req.method === 'POST'
        && /json/i.test(req.headers['content-type'] ?? '')) {
        const raw = await readBody(req);
        let body = raw;
        try {
          const meta = JSON.parse(raw);
          const dropped = ['scope', ...CUSTOM_API_METADATA];
          if (meta && typeof meta === 'object' && dropped.some((k) => k in meta)) {
            for (const k of dropped) delete meta[k];
            body = JSON.stringify(meta);
          }
        } catch { /* let the provider answer the bad JSON */ }
        return providerCallback(withBody(req, body), res);
      }

      if (url.pathname === '/userinfo' && (req.method === 'GET' || req.method === 'POST')) {
        const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
        if (m && m[1].split('.').length === 3) return await handleJwtUserinfo(req, res, m[1]);
      }

      return providerCallback(req, res);
    } catch (err) {
      log('handler error', err);
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: err.message });
      else res.destroy();
    }
  };

  const auth0 = {
    issuer,
    origin,
    port: actualPort,
    audience,
    provider,
    /** Public signing key (a KeyObject) of the access tokens. */
    publicKey,
    users: userMap,
    /** The APIs an On-Behalf-Of exchange may ask for: identifier -> Set(scopes). */
    downstreamApis: downstream,
    /** The Custom API client of `audience`, the only client that may exchange: its id and secret. */
    apiClientId,
    apiClientSecret,
    /**
     * Every token-exchange request, oldest first: { subjectSub (the subject token's user, once
     * verified), subjectToken, audience, scope (as requested), granted (scopes issued), clientId
     * (the exchanging client), at (ms), error (the error code when refused: unauthorized_client
     * for a client that is not the Custom API client), accessToken (the token issued) }.
     */
    exchanges,
    /** The pre-registered client's redirect URIs, now. */
    get redirectUris() { return [...currentRedirectUris]; },
    /** Replaces the pre-registered client's redirect URIs (e.g. once the proxy's port is known). */
    async setRedirectUris(uris) {
      currentRedirectUris = [...uris];
      await provider.Client.adapter.upsert(clientId, webAppMetadata(currentRedirectUris));
    },
    async stop() {
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
    loginAs: (authorizeUrl, username, opts = {}) => loginAs(authorizeUrl, username, { ...opts, providerOrigin: origin }),
  };
  return auth0;
}

// ---------------------------------------------------------------------------
// The browser part: follow redirects, log in, approve consent pages.

/** Decodes the few HTML entities that show up in attribute values. */
function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (all, e) => {
    const l = e.toLowerCase();
    if (l === 'amp') return '&';
    if (l === 'lt') return '<';
    if (l === 'gt') return '>';
    if (l === 'quot') return '"';
    if (l === 'apos') return "'";
    if (l.startsWith('#x')) return String.fromCodePoint(parseInt(l.slice(2), 16));
    if (l.startsWith('#')) return String.fromCodePoint(parseInt(l.slice(1), 10));
    return all;
  });
}

function parseAttrs(tag) {
  const attrs = {};
  const re = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  const inner = tag.replace(/^<\s*[a-z]+/i, '').replace(/\/?>$/, '');
  for (const m of inner.matchAll(re)) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

/**
 * The POST forms of an HTML page: [{ action, hidden: [[name, value]], buttons: [{name, value}], fields: [names] }].
 * Regex-based: good enough for the simple pages our servers render.
 */
export function parseForms(html) {
  const forms = [];
  for (const m of html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form\s*>/gi)) {
    const attrs = parseAttrs(m[0].slice(0, m[0].indexOf('>') + 1));
    if ((attrs.method ?? 'get').toLowerCase() !== 'post') continue;
    const body = m[1];
    const hidden = [];
    const buttons = [];
    const fields = [];
    for (const t of body.matchAll(/<(input|button|select|textarea)\b[^>]*>/gi)) {
      const a = parseAttrs(t[0]);
      const kind = t[1].toLowerCase();
      const type = (a.type ?? (kind === 'button' ? 'submit' : 'text')).toLowerCase();
      if (kind === 'input' && type === 'hidden' && a.name) hidden.push([a.name, a.value ?? '']);
      else if ((kind === 'button' || kind === 'input') && type === 'submit') buttons.push({ name: a.name, value: a.value ?? '' });
      else if (a.name) fields.push(a.name);
    }
    forms.push({ action: attrs.action, hidden, buttons, fields });
  }
  return forms;
}

/** Keeps the cookies that `res` (from `origin`) sets in `jar`, as a browser would. */
export function storeCookies(jar, origin, res) {
  const list = res.headers.getSetCookie?.() ?? [];
  if (!list.length) return;
  if (!jar.has(origin)) jar.set(origin, new Map());
  const cookies = jar.get(origin);
  for (const line of list) {
    const [pair, ...attrs] = line.split(';');
    const i = pair.indexOf('=');
    if (i < 0) continue;
    const name = pair.slice(0, i).trim();
    const value = pair.slice(i + 1).trim();
    let expired = false;
    for (const a of attrs) {
      const [k, v = ''] = a.split('=');
      const key = k.trim().toLowerCase();
      if (key === 'max-age' && Number(v) <= 0) expired = true;
      if (key === 'expires' && Date.parse(v.trim()) <= Date.now()) expired = true;
    }
    if (expired) cookies.delete(name);
    else cookies.set(name, value);
  }
}

/** The Cookie header a browser with `jar` sends to `origin` (undefined when it has none). */
export function cookieHeader(jar, origin) {
  const cookies = jar.get(origin);
  if (!cookies?.size) return undefined;
  return [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

function resultFrom(url) {
  const u = new URL(url);
  const p = u.searchParams;
  return {
    url: u.href,
    code: p.get('code') ?? undefined,
    state: p.get('state') ?? undefined,
    error: p.get('error') ?? undefined,
    error_description: p.get('error_description') ?? undefined,
    iss: p.get('iss') ?? undefined,
  };
}

/**
 * Plays the browser from `authorizeUrl` until a redirect leaves the provider
 * (and the proxy) with `code` or `error`, and returns that redirect, parsed.
 * Follows redirects across origins; logs in as `username` on the provider's
 * login page; submits POST forms found on 200 HTML pages of other origins
 * (e.g. a proxy's consent page: its hidden inputs plus the submit button named
 * `decision`, set to `opts.decision`, default 'approve').
 *
 * opts:
 *   fetch         fetch implementation (default globalThis.fetch)
 *   providerOrigin  the provider's origin (set by startFakeAuth0's loginAs)
 *   proxyOrigin   an origin (or array) whose code/error redirects are followed, not returned
 *   stopAt        a URL prefix (or array): stop at the first redirect whose URL starts with it
 *   decision      the value of a `decision` button on consent forms (default 'approve')
 *   jar           Map(origin -> Map(name -> value)) to reuse cookies across calls (SSO)
 *   maxSteps      default 30
 *
 * Returns { url, code, state, error, error_description, iss, steps }.
 */
export async function loginAs(authorizeUrl, username, opts = {}) {
  const f = opts.fetch ?? globalThis.fetch;
  const jar = opts.jar ?? new Map();
  const providerOrigin = opts.providerOrigin;
  const proxyOrigins = new Set([opts.proxyOrigin].flat().filter(Boolean).map((o) => new URL(o).origin));
  const stopAt = [opts.stopAt].flat().filter(Boolean);
  const decision = opts.decision ?? 'approve';
  const maxSteps = opts.maxSteps ?? 30;
  const steps = [];

  const shouldStop = (loc) => {
    if (stopAt.length) return stopAt.some((p) => loc.href.startsWith(p));
    const hasResult = loc.searchParams.has('code') || loc.searchParams.has('error');
    return hasResult && loc.origin !== providerOrigin && !proxyOrigins.has(loc.origin);
  };

  let url = new URL(authorizeUrl);
  if (stopAt.length && shouldStop(url)) return { ...resultFrom(url.href), steps };
  let method = 'GET';
  let body;
  for (let i = 0; i < maxSteps; i += 1) {
    const headers = { accept: 'text/html,application/xhtml+xml,*/*' };
    const cookie = cookieHeader(jar, url.origin);
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await f(url.href, { method, headers, body, redirect: 'manual' });
    storeCookies(jar, url.origin, res);
    steps.push(`${method} ${url.href} -> ${res.status}`);

    if ([301, 302, 303, 307, 308].includes(res.status)) {
      await res.body?.cancel();
      const location = res.headers.get('location');
      if (!location) throw new Error(`loginAs: ${res.status} without Location at ${url.href}`);
      const next = new URL(location, url);
      if (shouldStop(next)) return { ...resultFrom(next.href), steps };
      if (res.status === 307 || res.status === 308) {
        // keep method and body
      } else {
        method = 'GET';
        body = undefined;
      }
      url = next;
      continue;
    }

    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    if (res.status === 200 && type.includes('html')) {
      const forms = parseForms(text);
      const isProvider = url.origin === providerOrigin;
      let form;
      const fields = new URLSearchParams();
      if (isProvider && url.pathname.startsWith('/interaction/')) {
        form = forms.find((fm) => fm.fields.includes('username')) ?? forms[0];
        if (!form) throw new Error(`loginAs: no login form at ${url.href}`);
        for (const [k, v] of form.hidden) fields.append(k, v);
        fields.set('username', username);
      } else {
        form = forms.find((fm) => fm.buttons.some((b) => b.name === 'decision'))
          ?? forms.find((fm) => fm.hidden.length) ?? forms[0];
        if (!form) {
          throw new Error(`loginAs: 200 page without a POST form at ${url.href}: ${text.slice(0, 500)}`);
        }
        for (const [k, v] of form.hidden) fields.append(k, v);
        // response_mode=form_post: the page posts code/state (or error) to the client.
        const target = new URL(form.action || url.href, url);
        if ((fields.has('code') || fields.has('error')) && !stopAt.length
          && target.origin !== providerOrigin && !proxyOrigins.has(target.origin)) {
          const u = new URL(target);
          for (const [k, v] of fields) u.searchParams.append(k, v);
          return { ...resultFrom(u.href), steps };
        }
        if (form.buttons.some((b) => b.name === 'decision')) fields.set('decision', decision);
        if (form.fields.includes('username')) fields.set('username', username);
      }
      url = new URL(form.action || url.href, url);
      method = 'POST';
      body = fields.toString();
      continue;
    }

    throw new Error(`loginAs: unexpected ${res.status} at ${method} ${url.href}: ${text.slice(0, 1000)}\n  steps: ${steps.join('\n         ')}`);
  }
  throw new Error(`loginAs: gave up after ${maxSteps} steps:\n  ${steps.join('\n  ')}`);
}

/** PKCE helpers: { verifier, challenge, method: 'S256' }. */
export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge, method: 'S256' };
}

// A real OpenID provider for the tests: the certified `oidc-provider` package on loopback.
//
// Started by tests/oidc/provider.py with its settings in the environment:
//   PORT                  the port to listen on (127.0.0.1)
//   CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated)
//   ACCOUNTS              JSON {"<sub>": {"email": …, "email_verified": …, "name": …, "groups": […]}}
//   CLOCK_OFFSET_SECONDS  the provider's clock runs this far off while it issues tokens (negative: its ID
//                         tokens are already expired when they arrive); its pages and cookies keep the real time
//   FOREIGN_JWKS=1        the JWKS it publishes holds another key under the same key id (so its ID tokens
//                         carry a signature that the published key does not verify)
// Only the interaction (the provider's own sign-in page) is written here: a form asking which account
// signs in, no password, and consent granted at once. Everything OpenID Connect is the package's.
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { URLSearchParams } from 'node:url';

const offset = Number(process.env.CLOCK_OFFSET_SECONDS || 0) * 1000;
let skew = 0;
const realNow = Date.now;
Date.now = () => realNow() + skew;

const { default: Provider } = await import('oidc-provider');

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');

function signingKey(kid) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
}
const key = signingKey('test-key');
const publicJwk = ({ kty, n, e, kid, use, alg }) => ({ kty, n, e, kid, use, alg });
const foreignJwks = { keys: [publicJwk(signingKey('test-key'))] };

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: process.env.REDIRECT_URIS.split(','),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [key] },
  cookies: { keys: ['test-cookie-key'] },
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  conformIdTokenClaims: false, // the claims go into the ID token, as Entra ID, Google and Okta do
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { IdToken: 600, Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, AuthorizationCode: 60 },
  async findAccount(ctx, sub) {
    const account = accounts[sub];
    if (!account) return undefined;
    return { accountId: sub, async claims() { return { sub, ...account }; } };
  },
});
provider.proxy = false;

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params, session } = details;
  if (prompt.name === 'login') {
    if (req.method === 'POST') {
      const body = await new Promise((resolve) => {
        let data = '';
        req.on('data', (chunk) => { data += chunk; });
        req.on('end', () => resolve(new URLSearchParams(data)));
      });
      const login = body.get('login');
      const result = accounts[login] ? { login: { accountId: login } } : { error: 'access_denied' };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><head><title>Test provider</title></head><body>
<h1>Test OpenID provider</h1>
<form method="post" action="/interaction/${escape(uid)}">
<label for="login">Account</label> <input id="login" name="login" autofocus>
<button type="submit">Sign in</button></form></body></html>`);
    return;
  }
  // consent: granted at once for what the client asked
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const handle = provider.callback();
http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  } else if (process.env.FOREIGN_JWKS === '1' && req.url === '/jwks') {
    res.setHeader('Content-Type', 'application/jwk-set+json');
    res.end(JSON.stringify(foreignJwks));
  } else if (offset && req.url.startsWith('/token')) {
    skew = offset;
    res.on('close', () => { skew = 0; });
    handle(req, res);
  } else {
    handle(req, res);
  }
}).listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});

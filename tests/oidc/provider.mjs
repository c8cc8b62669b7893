// A real OpenID Connect provider for the sign-in tests: node-oidc-provider (npm `oidc-provider`,
// pinned in package.json) with its own login and consent pages, accounts with passwords, and
// RP-initiated logout. Started by tests/oidc_provider.py on a free port:
//
//   node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG.json: {"port": 8671, "clients": [<oidc-provider client metadata>],
//               "accounts": [{"email": ..., "password": ..., "name": ..., "groups": [...]}]}
// It prints "ready <issuer>" once it listens, and one line per login attempt.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = new Map(config.accounts.map((account) => [account.email.toLowerCase(), account]));

const provider = new Provider(issuer, {
  clients: config.clients,
  async findAccount(ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: account.email,
          email_verified: true,
          name: account.name,
          groups: account.groups ?? [],
        };
      },
    };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  // The claims asked for by scope go into the ID token itself: Streamlit's st.user is read from it.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['lead-test-provider-only'] },
});
provider.on('server_error', (ctx, error) => console.error('server_error', error));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, title, body) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`);
}

function loginForm(res, uid, problem) {
  page(res, 'Test identity provider: sign in', `
${problem ? `<p role="alert">${escape(problem)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
  <label>E-mail <input type="email" name="email" autocomplete="off" required></label>
  <label>Password <input type="password" name="password" required></label>
  <button type="submit">Sign in</button>
</form>`);
}

function consentForm(res, uid, clientId, scope) {
  page(res, 'Test identity provider: allow access', `
<p>${escape(clientId)} asks for: ${escape(scope)}</p>
<form method="post" action="/interaction/${uid}/consent"><button type="submit">Allow</button></form>`);
}

async function formBody(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

async function interaction(req, res, uid, step) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = details;
  if (req.method === 'GET') {
    if (prompt.name === 'login') return loginForm(res, uid);
    return consentForm(res, uid, params.client_id, params.scope);
  }
  if (step === 'login') {
    const form = await formBody(req);
    const email = (form.get('email') ?? '').trim().toLowerCase();
    const account = accounts.get(email);
    if (!account || account.password !== form.get('password')) {
      console.log(`login failed ${email}`);
      return loginForm(res, uid, 'Wrong e-mail or password.');
    }
    console.log(`login ok ${email}`);
    return provider.interactionFinished(req, res, { login: { accountId: email } }, {
      mergeWithLastSubmission: false,
    });
  }
  // consent: grant what the client asked for, as a user pressing "Allow" does
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const consent = { grantId: await grant.save() };
  return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
}

const handle = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = new URL(req.url, issuer).pathname.match(/^\/interaction\/([^/]+)(?:\/(login|consent))?$/);
  if (!match) return handle(req, res);
  try {
    await interaction(req, res, match[1], match[2]);
  } catch (error) {
    console.error('interaction error', error);
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`interaction failed: ${error.message}`);
  }
});
server.listen(config.port, '127.0.0.1', () => console.log(`ready ${issuer}`));

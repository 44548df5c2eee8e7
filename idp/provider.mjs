// An OpenID Connect provider (npm oidc-provider, v9) configured to behave like
// NHS login for the parts the portal depends on. See README.md beside this file.

import { randomBytes, randomUUID, timingSafeEqual, createHash } from 'node:crypto';

import Provider, { errors, interactionPolicy } from 'oidc-provider';

import { VtrError, achieveVot, parseVtr } from './vot.mjs';
import {
  errorPage, loginPage, logoutPage, setPageHeaders, signedOutPage, trustmark,
} from './views.mjs';

const CODE_TTL = 300; // NHS login: authorization codes live at most 10 minutes
const MAX_FORM_BYTES = 8 * 1024;

function epochTime() {
  return Math.floor(Date.now() / 1000);
}

function samePassword(given, expected) {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

async function readForm(ctx) {
  const type = ctx.get('content-type').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    ctx.throw(415, 'expected a form submission');
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) ctx.throw(413, 'form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// users: { bySub, byLogin } from data.loadUsers; clients: list from
// data.loadClients; jwks: provider signing keys; testMode: enables the
// per-user test behaviours.
export function createProvider({
  issuer, users, clients, jwks, testMode = false, log = () => {},
}) {
  const trustmarkUrl = `${issuer.replace(/\/$/, '')}/trustmark`;
  // Authorization code id -> vector achieved for that authorization request.
  const votByCode = new Map();

  function behaviourOf(user) {
    return testMode ? user?.testBehaviour : undefined;
  }

  // The vector to report for this user and these requested vectors.
  function outcomeFor(user, vectors) {
    if (behaviourOf(user) === 'insufficient-vot') {
      return { vot: 'P5.Cp.Cd' };
    }
    return achieveVot(vectors, user.level);
  }

  function vectorsOf(ctx) {
    // Already checked by the extraParams validator on the first request.
    return parseVtr(ctx.oidc.params.vtr);
  }

  const policy = interactionPolicy.base();
  // After sign-in (and on every single sign-on), refuse with access_denied
  // when the account cannot meet any requested vector of trust. The error
  // goes back to the client's redirect_uri with the request's state.
  policy.add(new interactionPolicy.Prompt(
    { name: 'vector_of_trust', requestable: false },
    new interactionPolicy.Check('vtr_unsatisfiable', 'requested vector of trust cannot be met', 'access_denied', (ctx) => {
      const accountId = ctx.oidc.session.accountId;
      if (!accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const user = users.bySub.get(accountId);
      if (!user) throw new errors.AccessDenied('the signed-in account no longer exists');
      const outcome = outcomeFor(user, vectorsOf(ctx));
      if (outcome.error) throw new errors.AccessDenied(outcome.error);
      return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  ), 1);

  const configuration = {
    clients,
    jwks,
    findAccount(ctx, sub) {
      const user = users.bySub.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims(use) {
          const { claims } = user;
          if (use === 'id_token') {
            // NHS login puts the profile scope's claims in the ID token;
            // the rest come from the userinfo endpoint.
            return {
              sub,
              nhs_number: claims.nhs_number,
              birthdate: claims.birthdate,
              family_name: claims.family_name,
              identity_proofing_level: claims.identity_proofing_level,
            };
          }
          return { sub, ...claims };
        },
      };
    },
    claims: {
      openid: ['sub'],
      profile: ['nhs_number', 'birthdate', 'family_name', 'identity_proofing_level'],
      profile_extended: ['given_name'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
      auth_time: null,
      sid: null,
      iss: null,
    },
    scopes: ['openid', 'profile', 'profile_extended', 'email', 'phone'],
    // Put the granted profile claims in the ID token as NHS login does,
    // not only in the userinfo response.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    clientAuthMethods: ['private_key_jwt'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'RS512',
      id_token_signed_response_alg: 'RS512',
    },
    enabledJWA: {
      clientAuthSigningAlgValues: ['RS512'],
      idTokenSigningAlgValues: ['RS512'],
      userinfoSigningAlgValues: ['RS512'],
      requestObjectSigningAlgValues: ['RS512'],
    },
    extraParams: {
      // NHS login's authorization request: vtr optional (default P9), and
      // state and nonce mandatory.
      vtr(ctx, value) {
        const { params } = ctx.oidc;
        if (!params.state) throw new errors.InvalidRequest('state is required');
        if (!params.nonce) throw new errors.InvalidRequest('nonce is required');
        try {
          parseVtr(value);
        } catch (err) {
          if (err instanceof VtrError) throw new errors.InvalidRequest(err.message);
          throw err;
        }
      },
    },
    async loadExistingGrant(ctx) {
      // First-party demo clients: consent is given without asking. The
      // session's grant for the client (kept, so that codes already issued in
      // this session stay valid) is widened to the OpenID scopes asked for.
      const { Grant } = ctx.oidc.provider;
      const { accountId } = ctx.oidc.session;
      const { clientId } = ctx.oidc.client;
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(clientId);
      let grant = grantId ? await Grant.find(grantId) : undefined;
      if (!grant || grant.accountId !== accountId || grant.clientId !== clientId) {
        grant = new Grant({ accountId, clientId });
      }
      const scope = [...ctx.oidc.requestParamOIDCScopes].join(' ');
      if (scope) grant.addOIDCScope(scope);
      await grant.save();
      return grant;
    },
    interactions: {
      policy,
      url(ctx, interaction) {
        return `/interaction/${interaction.uid}`;
      },
    },
    cookies: {
      // Distinct names: cookies are shared by every port on 127.0.0.1.
      names: {
        session: 'idp_session',
        interaction: 'idp_interaction',
        resume: 'idp_interaction_resume',
      },
      keys: [randomBytes(32).toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    routes: {
      // NHS login's endpoint paths
      authorization: '/authorize',
      token: '/token',
      userinfo: '/userinfo',
      jwks: '/.well-known/jwks.json',
      end_session: '/session/end',
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      claimsParameter: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          setPageHeaders(ctx, { allowInlineScript: true });
          ctx.type = 'html';
          ctx.body = logoutPage({ form });
        },
        async postLogoutSuccessSource(ctx) {
          setPageHeaders(ctx);
          ctx.type = 'html';
          ctx.body = signedOutPage();
        },
      },
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: CODE_TTL,
      IdToken: 3600,
      Interaction: 3600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    clientBasedCORS() {
      return false;
    },
    async renderError(ctx, out) {
      setPageHeaders(ctx);
      ctx.type = 'html';
      ctx.body = errorPage({
        title: 'Sorry, there is a problem',
        message: 'The sign-in request could not be completed. Go back to the service and try again.',
        details: { error: out.error, 'error description': out.error_description },
      });
    },
  };

  const provider = new Provider(issuer, configuration);

  // Remember, per authorization code, which vector the request achieved so
  // that the ID token issued for the code carries it.
  provider.on('authorization_code.saved', (code) => {
    const ctx = Provider.ctx;
    const user = users.bySub.get(code.accountId);
    let vot;
    try {
      const outcome = user && ctx ? outcomeFor(user, vectorsOf(ctx)) : {};
      vot = outcome.vot;
    } catch {
      vot = undefined;
    }
    votByCode.set(code.jti, vot);
    setTimeout(() => votByCode.delete(code.jti), (CODE_TTL + 60) * 1000).unref();
  });

  // Add NHS login's vot, vtm and jti to every ID token, and apply the test
  // behaviours.
  const { IdToken } = provider;
  const originalIssue = IdToken.prototype.issue;
  IdToken.prototype.issue = async function issue(options = {}) {
    if (options.use !== 'idtoken') {
      return originalIssue.call(this, options);
    }
    const code = this.ctx?.oidc?.entities?.AuthorizationCode;
    const vot = code ? votByCode.get(code.jti) : undefined;
    if (!vot) {
      throw new Error('no vector of trust recorded for this authorization code');
    }
    votByCode.delete(code.jti);
    this.set('vot', vot);
    this.set('vtm', trustmarkUrl);
    this.set('jti', randomUUID());
    const user = users.bySub.get(code.accountId);
    const behaviour = behaviourOf(user);
    if (behaviour === 'wrong-nonce') {
      this.set('nonce', `not-the-nonce-you-sent-${randomBytes(8).toString('hex')}`);
    }
    if (behaviour === 'expired-id-token') {
      const now = epochTime();
      this.set('iat', now - 3600);
      log(`test behaviour expired-id-token for ${user.login}`);
      return originalIssue.call(this, { ...options, expiresAt: now - 1800 });
    }
    if (behaviour) log(`test behaviour ${behaviour} for ${user.login}`);
    return originalIssue.call(this, options);
  };

  class InteractionMismatch extends Error {}

  // Pages and endpoints outside oidc-provider: the trustmark, the sign-in page.
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && /^\/trustmark(\/[^/]*)?$/.test(ctx.path)) {
      ctx.body = trustmark(issuer);
      return undefined;
    }
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(ctx.path);
    if (!match) return next();
    const [, uid, loginPath] = match;
    setPageHeaders(ctx);
    ctx.set('Cache-Control', 'no-store');
    try {
      if (!loginPath && ctx.method === 'GET') {
        await showInteraction(ctx, uid);
      } else if (loginPath && ctx.method === 'POST') {
        await submitLogin(ctx, uid);
      } else if (loginPath && ctx.method === 'GET') {
        // e.g. reloading the page shown after a refused sign-in
        ctx.status = 303;
        ctx.redirect(`/interaction/${uid}`);
      } else {
        ctx.status = 405;
        ctx.set('Allow', loginPath ? 'GET, POST' : 'GET');
        ctx.type = 'html';
        ctx.body = errorPage({ title: 'Method not allowed', message: 'This page cannot be used that way.' });
      }
    } catch (err) {
      if (err instanceof errors.SessionNotFound || err instanceof InteractionMismatch) {
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = errorPage({
          title: 'Your sign-in has expired',
          message: 'Go back to the service and start signing in again.',
        });
        return undefined;
      }
      throw err;
    }
    return undefined;
  });

  async function currentInteraction(ctx, uid) {
    const interaction = await provider.interactionDetails(ctx.req, ctx.res);
    if (interaction.uid !== uid) throw new InteractionMismatch();
    return interaction;
  }

  async function clientNameFor(interaction) {
    const client = await provider.Client.find(interaction.params.client_id);
    return client?.clientName || interaction.params.client_id;
  }

  async function showInteraction(ctx, uid) {
    const interaction = await currentInteraction(ctx, uid);
    const { prompt } = interaction;
    if (prompt.name === 'login') {
      ctx.type = 'html';
      ctx.body = loginPage({ uid, clientName: await clientNameFor(interaction) });
      return;
    }
    if (prompt.name === 'consent') {
      // Only reached when the client forces prompt=consent: grant it.
      const grant = interaction.grantId
        ? await provider.Grant.find(interaction.grantId)
        : new provider.Grant({ accountId: interaction.session.accountId, clientId: interaction.params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      const grantId = await grant.save();
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      ctx.status = 303;
      ctx.redirect(returnTo);
      return;
    }
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = errorPage({ title: 'Sorry, there is a problem', message: `Unsupported step: ${prompt.name}.` });
  }

  async function submitLogin(ctx, uid) {
    const interaction = await currentInteraction(ctx, uid);
    if (interaction.prompt.name !== 'login') {
      throw new InteractionMismatch();
    }
    const form = await readForm(ctx);
    const email = (form.get('email') || '').trim();
    const password = form.get('password') || '';
    const problems = [];
    if (!email) problems.push({ field: 'email', text: 'Enter your email address' });
    if (!password) problems.push({ field: 'password', text: 'Enter your password' });
    let user;
    if (!problems.length) {
      const candidate = users.byLogin.get(email.toLowerCase());
      // Compare a password either way so unknown emails take as long.
      const ok = samePassword(password, candidate ? candidate.password : randomUUID());
      if (candidate && ok) {
        user = candidate;
      } else {
        problems.push({ field: 'email', text: 'The email address or password is not right. Check them and try again.' });
      }
    }
    if (!user) {
      ctx.status = 200;
      ctx.type = 'html';
      ctx.body = loginPage({ uid, clientName: await clientNameFor(interaction), email, errors: problems });
      return;
    }
    log(`signed in ${user.login} (${user.level})`);
    const returnTo = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: user.sub, remember: false } },
      { mergeWithLastSubmission: false },
    );
    ctx.status = 303;
    ctx.redirect(returnTo);
  }

  return provider;
}


// Server-rendered pages: plain HTML, no external assets, one h1 each.

const ESCAPES = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
};

export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const STYLE = `
body{margin:0;font-family:Arial,Helvetica,sans-serif;font-size:1.1875rem;line-height:1.5;color:#212b32;background:#f0f4f5}
.banner{background:#005eb8;color:#fff;padding:.75rem 1rem;margin:0}
.banner p{margin:0;font-weight:bold}
main{max-width:38rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:2rem;line-height:1.2;margin:0 0 1rem}
label{display:block;font-weight:bold;margin-bottom:.25rem}
.field{margin-bottom:1.5rem}
.field-error{border-left:4px solid #d5281b;padding-left:.75rem}
input{font:inherit;width:100%;max-width:24rem;box-sizing:border-box;padding:.4rem;border:2px solid #4c6272;border-radius:0;background:#fff}
.field-error input{border-color:#d5281b}
input:focus,button:focus,a:focus{outline:4px solid #ffeb3b;outline-offset:0;box-shadow:0 0 0 2px #212b32}
button{font:inherit;font-weight:bold;color:#fff;background:#007f3b;border:0;border-radius:4px;padding:.6rem 1.2rem;box-shadow:0 4px 0 #00401e;cursor:pointer}
button:hover{background:#00662f}
.error-summary{border:4px solid #d5281b;background:#fff;padding:1rem;margin-bottom:1.5rem}
.error-summary h2{font-size:1.5rem;margin:0 0 .5rem}
.error-summary ul{margin:0;padding-left:1.25rem}
.error-summary a{color:#d5281b;font-weight:bold}
.error-message{color:#d5281b;font-weight:bold;margin:0 0 .25rem}
.note{font-size:1rem;color:#4c6272;border-top:1px solid #d8dde0;padding-top:1rem;margin-top:2rem}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);border:0;white-space:nowrap}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:bold}
dd{margin:0;overflow-wrap:anywhere}
`;

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

export function setPageHeaders(ctx, { allowInlineScript = false } = {}) {
  ctx.set('Content-Security-Policy', allowInlineScript
    ? PAGE_CSP.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';")
    : PAGE_CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
}

function layout({ title, body, hasErrors = false }) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${hasErrors ? 'Error: ' : ''}${escapeHtml(title)} - NHS login stand-in</title>
<style>${STYLE}</style>
</head>
<body>
<header class="banner"><p>NHS login stand-in (demo and tests only)</p></header>
<main id="main-content">
${body}
</main>
</body>
</html>
`;
}

// errors: [{ field: 'email' | 'password', text }]
export function loginPage({ uid, clientName, email = '', errors = [] }) {
  const errorFor = (field) => errors.find((e) => e.field === field);
  const summary = errors.length ? `<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">There is a problem</h2>
<ul>
${errors.map((e) => `<li><a href="#${e.field}">${escapeHtml(e.text)}</a></li>`).join('\n')}
</ul>
</div>
` : '';
  const field = (name, label, input) => {
    const error = errorFor(name);
    return `<div class="field${error ? ' field-error' : ''}">
<label for="${name}">${label}</label>
${error ? `<p class="error-message" id="${name}-error"><span class="visually-hidden">Error:</span> ${escapeHtml(error.text)}</p>\n` : ''}${input(error ? ` aria-describedby="${name}-error" aria-invalid="true"` : '')}
</div>`;
  };
  const body = `${summary}<h1>Sign in</h1>
<p>Enter your email address and password to continue to ${escapeHtml(clientName)}.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login" novalidate>
${field('email', 'Email address', (aria) => `<input id="email" name="email" type="email" autocomplete="email" spellcheck="false" value="${escapeHtml(email)}"${aria}>`)}
${field('password', 'Password', (aria) => `<input id="password" name="password" type="password" autocomplete="current-password"${aria}>`)}
<button type="submit">Continue</button>
</form>
<p class="note">This page stands in for NHS login so the service can be demonstrated and tested. Use only the demo accounts. Never enter real details.</p>`;
  return layout({ title: 'Sign in', body, hasErrors: errors.length > 0 });
}

export function errorPage({ title, message, details = {} }) {
  const rows = Object.entries(details)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('\n');
  const body = `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
${rows ? `<dl>\n${rows}\n</dl>` : ''}`;
  return layout({ title, body });
}

// form: the logout form oidc-provider builds (id "op.logoutForm", hidden xsrf
// input). The page signs out at once where scripts run; otherwise the button
// does it.
export function logoutPage({ form }) {
  const completed = form.replace(
    '</form>',
    '<input type="hidden" name="logout" value="yes">\n<button type="submit">Sign out</button>\n</form>',
  );
  const body = `<h1>Signing you out</h1>
<p>You are being signed out of the NHS login stand-in.</p>
${completed}
<script>document.getElementById('op.logoutForm').submit();</script>`;
  return layout({ title: 'Sign out', body });
}

export function signedOutPage() {
  return layout({
    title: 'You have signed out',
    body: '<h1>You have signed out</h1>\n<p>You have signed out of the NHS login stand-in. You can close this page.</p>',
  });
}

export function trustmark(issuer) {
  return {
    idp: issuer,
    trustmark_provider: issuer,
    P: ['P0', 'P5', 'P9'],
    C: ['Cp', 'Cd', 'Ck', 'Cm'],
  };
}

/** The dev IdP's few HTML pages: login, logout confirmation, signed-out and error. Plain, labelled forms. */

export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const style = `body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:48px 16px}
main{max-width:360px;margin:0 auto;background:#fff;border-radius:8px;padding:24px 28px;box-shadow:0 1px 3px #0002}
h1{font-size:1.3rem;margin:0 0 4px}p.sub{color:#555;margin:0 0 20px;font-size:.9rem}
label{display:block;font-weight:600;margin:12px 0 4px}input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;border:1px solid #bbb;border-radius:4px;font-size:1rem}
button{margin-top:20px;width:100%;padding:10px;border:0;border-radius:4px;background:#2457c5;color:#fff;font-size:1rem;cursor:pointer}
.error{background:#fdecea;color:#8a1c13;border-radius:4px;padding:8px 10px;margin-bottom:8px}
.note{color:#777;font-size:.8rem;margin-top:18px}`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${style}</style></head>
<body><main>${body}</main></body>
</html>`;
}

export interface LoginPageInput {
  realmName: string;
  clientName: string;
  action: string;
  username?: string;
  error?: string;
}

export function loginPage(input: LoginPageInput): string {
  return page(
    `Sign in to ${input.realmName}`,
    `<h1>Sign in to ${escapeHtml(input.realmName)}</h1>
<p class="sub">to continue to ${escapeHtml(input.clientName)}</p>
${input.error ? `<div class="error" role="alert">${escapeHtml(input.error)}</div>` : ""}
<form method="post" action="${escapeHtml(input.action)}" autocomplete="off">
  <label for="username">Username or email</label>
  <input id="username" name="username" type="text" value="${escapeHtml(input.username)}" autofocus required>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <button type="submit" id="kc-login">Sign in</button>
</form>
<p class="note">Meridian development identity provider. Never deployed; demo users and passwords are local development values.</p>`,
  );
}

/**
 * oidc-provider hands us its logout form (with its own xsrf field). With an id_token_hint the request comes
 * from a known client, and Keycloak then signs out without asking; we submit the form at once to match.
 */
export function logoutPage(form: string, autoSubmit: boolean): string {
  const withLogout = form.replace("</form>", `<input type="hidden" name="logout" value="yes"></form>`);
  return page(
    "Sign out",
    `<h1>Sign out</h1>
<p class="sub">Do you want to sign out of Meridian?</p>
${withLogout}
<button type="submit" form="op.logoutForm" id="kc-logout">Sign out</button>
${autoSubmit ? `<script>document.getElementById("op.logoutForm").submit();</script>` : ""}`,
  );
}

export function signedOutPage(clientName?: string): string {
  return page("Signed out", `<h1>You are signed out</h1><p class="sub">${clientName ? `from ${escapeHtml(clientName)}` : ""}</p>`);
}

export function errorPage(fields: Record<string, unknown>): string {
  return page(
    "Sign-in error",
    `<h1>Something went wrong</h1>${Object.entries(fields)
      .map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</p>`)
      .join("")}`,
  );
}

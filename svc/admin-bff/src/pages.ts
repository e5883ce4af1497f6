/** The few HTML pages the browser may land on during sign-in (everything else is JSON). */

export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}a.button{display:inline-block;margin-top:1rem;padding:.5rem 1rem;background:#2457c5;color:#fff;border-radius:4px;text-decoration:none}</style>
</head><body><main>${body}</main></body></html>`;
}

export function signInFailedPage(detail: string): string {
  return page(
    "Sign-in failed: Meridian admin console",
    `<h1>Sign-in did not complete</h1><p>${escapeHtml(detail)}</p><p><a class="button" href="/auth/login">Try again</a></p>`,
  );
}

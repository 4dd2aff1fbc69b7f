import { escapeHtml } from '../escape-html.ts';
import type { MailMessage } from './mail-store.ts';

/**
 * `/_local/mailbox`: received mail, newest first. HTML bodies render in a
 * sandboxed iframe so a mail's markup and scripts cannot touch the page.
 */
export function renderMailboxPage(messages: MailMessage[]): string {
  const items = messages
    .map(
      (m) => `<article class="mail" data-id="${escapeHtml(m.id)}">
  <header><strong>${escapeHtml(m.subject)}</strong><span class="meta">${escapeHtml(new Date(m.created_at).toLocaleString('en-GB'))}</span></header>
  <div class="meta">To: ${escapeHtml(m.to.join(', '))} · From: ${escapeHtml(m.from)}</div>
  ${m.magic_code ? `<div class="code" data-testid="magic-code">${escapeHtml(m.magic_code)}</div>` : ''}
  ${m.html ? `<iframe sandbox title="${escapeHtml(m.subject)}" srcdoc="${escapeHtml(m.html)}"></iframe>` : ''}
  ${!m.html && m.text ? `<pre>${escapeHtml(m.text)}</pre>` : ''}
  ${m.html && m.text ? `<details><summary>Plain text</summary><pre>${escapeHtml(m.text)}</pre></details>` : ''}
</article>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Mailbox (${messages.length})</title>
<style>
  body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f4f4f5;color:#18181b}
  main{max-width:760px;margin:24px auto;padding:0 16px}
  .mail{background:#fff;border-radius:8px;padding:16px;margin-bottom:16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
  .mail header{display:flex;justify-content:space-between;gap:12px}
  .meta{color:#71717a;font-size:13px}
  .code{font:700 40px/1.2 ui-monospace,monospace;letter-spacing:.15em;margin:12px 0}
  iframe{width:100%;min-height:240px;border:1px solid #e4e4e7;border-radius:6px;margin-top:8px;background:#fff}
  pre{white-space:pre-wrap;font:13px/1.4 ui-monospace,monospace;background:#fafafa;padding:8px;border-radius:6px}
</style></head>
<body><main><h1>Local mailbox</h1>
<p class="meta">Mail sent through the Resend API to this server, newest first. <button onclick="location.reload()">Refresh</button>
<button onclick="fetch('/_local/mailbox/messages',{method:'DELETE'}).then(()=>location.reload())">Clear</button></p>
${items || '<p>No mail yet.</p>'}
</main></body></html>`;
}

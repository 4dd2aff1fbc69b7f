// The entry point of instant-local in a process of its own (spawn.ts starts it): settings come
// as JSON in INSTANT_LOCAL_ARGS; it prints one JSON line with its address when ready, mails magic
// codes to a Resend-compatible mailbox when given one, and exits when its parent goes away. The
// project's schema and rules reach it as they reach Instant: pushed by instant-cli
// (push-on-change.ts); fixed ones given here are for tests and benches.
import type { SchemaJson } from './attrs.ts';
import type { Mail } from './app.ts';
import type { RuleSet } from './permissions.ts';
import { startInstantLocal } from './server.ts';

export type ChildArgs = {
  dataDir?: string;
  memory?: boolean;
  /** A fixed schema and rules for the main app (tests, benches); otherwise they are pushed. */
  schema?: SchemaJson;
  rules?: RuleSet;
  mailbox?: { url: string; apiKey: string };
};

const args: ChildArgs = JSON.parse(process.env.INSTANT_LOCAL_ARGS ?? '{}');

const sendMail = async (m: Mail) => {
  console.error(`[instant-local] magic code for ${m.to}: ${m.code}`);
  if (!args.mailbox) return;
  const res = await fetch(`${args.mailbox.url}/emails`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${args.mailbox.apiKey}` },
    body: JSON.stringify({ from: 'Instant <auth@instant.local>', to: m.to, subject: m.subject, text: m.text }),
  });
  if (!res.ok) console.error(`[instant-local] the mailbox refused the code for ${m.to}: ${res.status}`);
};

const server = await startInstantLocal({
  dataDir: args.dataDir,
  memory: args.memory,
  schema: args.schema,
  rules: args.rules,
  sendMail,
}).catch((e) => {
  // Logs written before schemas were pushed (and recorded) hold data for attributes they never declared.
  if (/unknown attr/.test((e as Error).message)) {
    console.error(
      `[instant-local] ${args.dataDir} holds data written before schema pushes were recorded; move it away ` +
        '(it is local data only) and start again: the schema is pushed on start.',
    );
    process.exit(1); // the message is the whole story; no stack trace
  }
  throw e;
});
console.log(JSON.stringify({ url: server.url, appId: server.appId, adminToken: server.adminToken }));

const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
// The parent holds our stdin open; when it exits (even by a crash), stdin ends and so do we.
process.stdin.on('end', stop);
process.stdin.resume();

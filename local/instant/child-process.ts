// The entry point of instant-local in a process of its own (spawn.ts starts it): settings come
// as JSON in INSTANT_LOCAL_ARGS; it prints one JSON line with its address when ready, serves the
// project's schema and rules (reloading them on change) unless given others, mails magic codes
// to a Resend-compatible mailbox when given one, and exits when its parent goes away.
import { watch } from 'node:fs';
import type { SchemaJson } from './attrs.ts';
import type { Mail } from './app.ts';
import type { RuleSet } from './permissions.ts';
import { loadProjectConfig, PERMS_FILE, SCHEMA_FILE } from './project-config.ts';
import { startInstantLocal } from './server.ts';

export type ChildArgs = {
  dataDir?: string;
  memory?: boolean;
  /** Fixed schema and rules; without them the project's files are served and watched. */
  schema?: SchemaJson;
  rules?: RuleSet;
  mailbox?: { url: string; apiKey: string };
};

const args: ChildArgs = JSON.parse(process.env.INSTANT_LOCAL_ARGS ?? '{}');
const project = args.schema ? null : await loadProjectConfig();

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
  schema: args.schema ?? project!.schema,
  rules: args.rules ?? project!.rules,
  sendMail,
});
console.log(JSON.stringify({ url: server.url, appId: server.appId, adminToken: server.adminToken }));

if (project) {
  for (const file of [SCHEMA_FILE, PERMS_FILE]) {
    watch(file, () =>
      loadProjectConfig()
        .then(({ schema, rules }) => {
          server.reload(schema, rules);
          console.error(`[instant-local] reloaded ${SCHEMA_FILE} and ${PERMS_FILE}`);
        })
        .catch((e) => console.error(`[instant-local] could not reload (${(e as Error).message}); keeping the previous rules`)),
    );
  }
}

const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
// The parent holds our stdin open; when it exits (even by a crash), stdin ends and so do we.
process.stdin.on('end', stop);
process.stdin.resume();

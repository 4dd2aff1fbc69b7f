// The self-hosted Instant recipe (deploy/instant) cannot be run here (no images can be pulled),
// so this checks what can be checked from the files: every setting upstream's compose file
// (instantdb/instant a4d2ef33, self-hosting/docker-compose.with-caddy.yml) gives the server is
// given, Postgres is upstream's image with logical replication, and every variable the compose
// file needs is documented in .env.example.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const compose = readFileSync('deploy/instant/docker-compose.yml', 'utf8');
const envExample = readFileSync('deploy/instant/.env.example', 'utf8');
const readme = readFileSync('deploy/instant/README.md', 'utf8');

// The server's environment in upstream's compose file at a4d2ef33.
const UPSTREAM_SERVER_ENV = [
  'WAL_HISTORY_STORAGE',
  'DATABASE_URL',
  'CONNECTION_POOL_SIZE',
  'INSTANT_BACKEND_URL',
  'INSTANT_DASHBOARD_URL',
  'INSTANT_SUPERUSER_EMAIL',
  'INSTANT_DASHBOARD_GOOGLE_OAUTH_CLIENT_ID',
  'INSTANT_DASHBOARD_GOOGLE_OAUTH_CLIENT_SECRET',
  'STRIPE_API_KEY',
  'POSTMARK_TOKEN',
  'SENDGRID_TOKEN',
  'INSTANT_EMAIL_PROVIDER',
  'INSTANT_EMAIL_REPLY_TO',
  'INSTANT_DASHBOARD_EMAIL_SENDER_NAME',
  'INSTANT_DASHBOARD_EMAIL_SENDER_EMAIL',
  'INSTANT_APP_EMAIL_SENDER_NAME',
  'INSTANT_APP_EMAIL_SENDER_EMAIL',
  'INSTANT_TEAM_EMAIL_SENDER_NAME',
  'INSTANT_TEAM_EMAIL_SENDER_EMAIL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'S3_ENDPOINT',
  'S3_PUBLIC_ENDPOINT',
  'S3_BUCKET',
];

function service(name: string): string {
  const m = new RegExp(`^  ${name}:\\n([\\s\\S]*?)(?=^  [a-z]+:\\n|^volumes:)`, 'm').exec(compose);
  if (!m) throw new Error(`no service ${name}`);
  return m[1];
}

describe('deploy/instant recipe', () => {
  it("gives the server every setting of upstream's compose file", () => {
    const server = service('server');
    for (const k of UPSTREAM_SERVER_ENV) expect([k, new RegExp(`^      ${k}:`, 'm').test(server)]).toEqual([k, true]);
    expect(server).toMatch(/image: \$\{INSTANT_SERVER_IMAGE:-ghcr\.io\/instantdb\/server:latest\}/);
  });

  it("runs upstream's Postgres 17 image with logical replication and pg_hint_plan", () => {
    const pg = service('postgres');
    expect(pg).toContain('ghcr.io/instantdb/postgresql:postgresql-17-pg-hint-plan');
    for (const flag of [
      'wal_level=logical',
      'max_replication_slots=10',
      'max_wal_senders=10',
      'shared_preload_libraries=pg_hint_plan',
    ])
      expect(pg).toContain(`"${flag}"`);
  });

  it('runs MinIO with its bucket, the dashboard and Caddy on 80/443', () => {
    expect(service('minio')).toMatch(/minio\/minio/);
    expect(service('createbuckets')).toMatch(/mc mb --ignore-existing local\/\$\$S3_BUCKET/);
    expect(service('www')).toMatch(/ghcr\.io\/instantdb\/dashboard/);
    expect(service('caddy')).toMatch(/"443:443"/);
    expect(readFileSync('deploy/instant/Caddyfile', 'utf8')).toMatch(
      /\{\$BACKEND_DOMAIN\} \{\n {2}reverse_proxy server:8888/,
    );
  });

  it('documents in .env.example every variable the compose file reads, and both mail providers', () => {
    const used = new Set([...compose.matchAll(/(?<!\$)\$\{([A-Z0-9_]+)/g)].map((m) => m[1]));
    const documented = new Set([...envExample.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const required = [...compose.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]);
    const withDefault = new Set([...compose.matchAll(/\$\{([A-Z0-9_]+):-/g)].map((m) => m[1]));
    expect(required.filter((k) => !documented.has(k))).toEqual([]);
    expect([...used].filter((k) => !documented.has(k) && !withDefault.has(k))).toEqual([]);
    for (const k of ['POSTMARK_TOKEN', 'SENDGRID_TOKEN', 'INSTANT_EMAIL_PROVIDER', 'INSTANT_APP_EMAIL_SENDER_EMAIL'])
      expect(documented.has(k)).toBe(true);
  });

  it('says what it was checked against, and that it was not run here', () => {
    expect(readme).toMatch(/a4d2ef33/);
    expect(readme).toMatch(/not been run\*\* in this project's CI/);
    for (const step of [
      'instant-cli',
      'INSTANT_CLI_API_URI',
      'npm run instant:push',
      'npm run seed',
      'npm run stripe:setup',
      'npm run doctor',
    ])
      expect(readme).toContain(step);
  });
});

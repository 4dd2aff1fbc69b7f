// One instant-local per test file, in memory, with the fixture schema and rules: started before the
// file's tests, closed after them with every client SDK made on it.
import { afterAll, beforeAll } from 'vitest';
import { adminFor, clientFor } from '../../tests/support/instant-clients.ts';
import { testRules, testSchema } from './fixtures.test-schema.ts';
import { startInstantLocal, type InstantLocal } from './server.ts';

export type FixtureServer = {
  server: InstantLocal;
  /** The admin SDK, typed by the fixture schema. */
  admin: ReturnType<typeof adminFor>;
  /** A new client SDK instance. */
  client(): ReturnType<typeof clientFor>;
};

export function fixtureServer(): FixtureServer {
  const clients: ReturnType<typeof clientFor>[] = [];
  const f = {
    client() {
      const c = clientFor(f.server, testSchema);
      clients.push(c);
      return c;
    },
  } as FixtureServer;
  beforeAll(async () => {
    f.server = await startInstantLocal({
      memory: true,
      schema: JSON.parse(JSON.stringify(testSchema)),
      rules: testRules,
    });
    f.admin = adminFor(f.server, testSchema);
  });
  afterAll(async () => {
    clients.forEach((c) => c.shutdown());
    await f.server?.close();
  });
  return f;
}

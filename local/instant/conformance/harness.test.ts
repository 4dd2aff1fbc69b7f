import { describe, expect, it } from 'vitest';
import { id } from '@instantdb/admin';
import { throwawayApp } from './harness.ts';

describe('conformance harness', () => {
  it('gives each case an app of its own', async () => {
    const a = await throwawayApp();
    const b = await throwawayApp();
    expect(a.appId).not.toBe(b.appId);
    await a.admin.transact(a.admin.tx.things[id()].update({ n: 1 }));
    expect((await a.admin.query({ things: {} })).things).toHaveLength(1);
    expect((await b.admin.query({ things: {} })).things ?? []).toHaveLength(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopStack, type ShopStack } from './support/shop-stack.ts';
import { formatReport, runDoctor } from '../scripts/doctor/run.ts';

let stack: ShopStack;
beforeAll(async () => {
  stack = await startShopStack();
}, 60_000);
afterAll(() => stack?.close());

describe('doctor', () => {
  it('prints', async () => {
    const checks = await runDoctor({ ...process.env, OPERATOR_EMAILS: 'ops@example.com' });
    console.log(formatReport(checks));
    expect(checks.length).toBeGreaterThan(0);
  });
});

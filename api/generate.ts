// POST /api/generate {topic} -> {haiku, balance}, with `Authorization: Bearer <refresh token>`.
// One haiku costs one credit: the ledger entry that spends it and the haiku are one transaction,
// so there is never a haiku without its credit spent, nor a credit spent without its haiku.
import { randomUUID } from 'node:crypto';
import { id as newId } from '@instantdb/admin';
import { z } from 'zod';
import { spend } from './_lib/credits-ledger.ts';
import { haikuWriter } from './_lib/haiku-writer.ts';
import { handler, HttpError, json, readJson } from './_lib/http.ts';
import { adminDb } from './_lib/instant-admin.ts';
import { enforceRateLimit } from './_lib/rate-limit.ts';
import { verifyUser } from './_lib/verify-user.ts';

export const MAX_TOPIC = 80;
const Body = z.object({
  topic: z.string().trim().min(1, 'topic is required').max(MAX_TOPIC, `topic must be at most ${MAX_TOPIC} characters`),
});

export const NO_CREDITS = 'You have no credits left. Buy a pack to keep writing haikus.';

export const POST = handler(async (req) => {
  const user = await verifyUser(req);
  const { topic } = await readJson(req, Body, 1024);
  await enforceRateLimit('generate', user.id, { limit: 30, windowMs: 60_000 });

  const content = await haikuWriter().write(topic);
  const db = adminDb();
  const haikuId = newId();
  const createdAt = Date.now();
  const haiku = db.tx.haikus[haikuId].create({ topic, content, createdAt }).link({ author: user.id });
  const spent = await spend(user.id, `use:${randomUUID()}`, `Haiku about "${topic}"`, haiku);
  if (!spent.ok) throw new HttpError(402, NO_CREDITS);
  return json({ haiku: { id: haikuId, topic, content, createdAt }, balance: spent.balance });
});

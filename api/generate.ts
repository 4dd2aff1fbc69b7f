// POST /api/generate {topic, requestId?} -> {haiku, balance}, with `Authorization: Bearer <refresh token>`.
// One haiku costs one credit: the ledger entry that spends it and the haiku are one transaction,
// so there is never a haiku without its credit spent, nor a credit spent without its haiku.
// A client that retries (say, after a lost answer) sends the same `requestId`: the spend's ledger
// ref and the haiku's id derive from it, so the retry answers the same haiku and spends nothing.
// If the author deleted that haiku meanwhile, the retry answers 410 (the credit stays spent once).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { spend } from './_lib/credits/ledger.ts';
import { derivedId } from './_lib/platform/derived-id.ts';
import { haikuWriter } from './_lib/credits/haiku-writer.ts';
import { handler, HttpError, json, readJson } from './_lib/platform/http.ts';
import { adminDb } from './_lib/platform/instant-admin.ts';
import { enforceRateLimit } from './_lib/platform/rate-limit.ts';
import { verifyUser } from './_lib/platform/verify-user.ts';

export const MAX_TOPIC = 80;
const Body = z.object({
  topic: z.string().trim().min(1, 'topic is required').max(MAX_TOPIC, `topic must be at most ${MAX_TOPIC} characters`),
  requestId: z.string().uuid('requestId must be a UUID (one per haiku asked for, reused on retries)').optional(),
});

export const NO_CREDITS = 'You have no credits left. Buy a pack to keep writing haikus.';
export const HAIKU_DELETED =
  'The haiku this request wrote has since been deleted; send a new requestId to write another.';

export const POST = handler(async (req) => {
  const user = await verifyUser(req);
  const { topic, requestId } = await readJson(req, Body, 1024);
  await enforceRateLimit('generate', user.id, { limit: 30, windowMs: 60_000 });

  const ref = `use:${user.id}:${requestId ?? randomUUID()}`;
  const haikuId = derivedId('haiku', ref);
  const content = await haikuWriter().write(topic);
  const db = adminDb();
  const haiku = db.tx.haikus[haikuId].create({ topic, content, createdAt: Date.now() }).link({ author: user.id });
  const spent = await spend(user.id, ref, `Haiku about "${topic}"`, haiku);
  if (!spent.ok) throw new HttpError(402, NO_CREDITS);
  // The haiku as stored: on a retry, the one the first request wrote.
  const { haikus } = await db.query({ haikus: { $: { where: { id: haikuId } } } });
  const stored = haikus[0];
  if (!stored) return json({ error: HAIKU_DELETED, balance: spent.balance }, 410);
  return json({
    haiku: { id: haikuId, topic: stored.topic, content: stored.content, createdAt: stored.createdAt },
    balance: spent.balance,
  });
});

// POST /api/ops/me: who the signed-in operator is; 403 tells the page the account is not an operator.
import { handler, json } from '../_lib/platform/http.ts';
import { requireOperator } from '../_lib/ops/operators.ts';

export const POST = handler(async (req) => json({ operator: (await requireOperator(req)).email }));

// POST /api/ops/reconcile {since?}: repairs what missed webhooks left undone (operators only).
import { opsEndpoint } from '../_lib/ops/commands.ts';

export const POST = opsEndpoint('reconcile');

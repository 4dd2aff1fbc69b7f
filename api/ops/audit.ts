// POST /api/ops/audit {limit?}: the audit trail of operator actions, newest first (operators only).
import { opsEndpoint } from '../_lib/ops/commands.ts';

export const POST = opsEndpoint('audit');

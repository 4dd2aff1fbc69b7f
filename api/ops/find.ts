// POST /api/ops/find {email}: every purchase, receipt, ledger entry, plan and download for an email (operators only).
import { opsEndpoint } from '../_lib/ops/commands.ts';

export const POST = opsEndpoint('find');

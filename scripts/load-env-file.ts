// Scripts run outside `npm run dev` (seed, stripe:setup, ops) read `.env.local` like it does;
// variables already set in the environment win.
import { existsSync, readFileSync } from 'node:fs';
import { parseDotenv } from '../local/dev/settings.ts';

export function loadEnvFile(file = '.env.local') {
  if (!existsSync(file)) return;
  for (const [k, v] of Object.entries(parseDotenv(readFileSync(file, 'utf8')))) {
    if (process.env[k] === undefined && v !== '') process.env[k] = v;
  }
}

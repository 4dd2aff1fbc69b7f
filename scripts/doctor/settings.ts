// Where the doctor's settings come from: the environment, else `.env.local`, else the running
// `npm run dev` stack's `.data/local.json`, read as `npm run ops` reads them (loadOpsEnv).
import { existsSync, readFileSync } from 'node:fs';
import { loadOpsEnv } from '../ops.ts';
import type { Env } from './check.ts';

export type DoctorSettings = { env: Env; source: 'env' | 'local.json'; localInstant: boolean };

export function loadDoctorSettings(base: Env = process.env, cwd = '.'): DoctorSettings {
  const env: Env = { ...base };
  const source = loadOpsEnv(env, cwd);
  const localInstant =
    source === 'local.json' && Boolean(JSON.parse(readFileSync(`${cwd}/.data/local.json`, 'utf8')).instant?.local);
  return { env, source, localInstant };
}

export const hasLocalStack = (cwd = '.') => existsSync(`${cwd}/.data/local.json`);

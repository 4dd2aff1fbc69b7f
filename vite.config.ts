import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { apiFunctions } from './local/dev/vite-api-plugin.ts';

const here = fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '');
const escapeGlob = (path: string) => path.replace(/[\\*?[\]{}()!+@]/g, '\\$&');
const under = (...parts: string[]) => `${escapeGlob(here)}/${parts.join('/')}`;

// The dev server may serve only what the SPA loads (Vite's /@fs/ reads any allowed file). Denied
// even if an allow entry would cover them: secrets (.data/ holds the local admin token and Stripe
// keys, .env*), the paid files (private/), and server-side code (api/, local/, scripts/).
export const SERVED = ['web', 'catalog', 'contracts', 'instant.schema.ts', 'node_modules'].map((p) => `${here}/${p}`);
export const REFUSED = [
  under('.data', '**'),
  under('private', '**'),
  under('.env*'),
  under('local', '**'),
  under('api', '**'),
  under('scripts', '**'),
  // Vite's own defaults, which setting `deny` replaces.
  '.env',
  '.env.*',
  '*.{crt,pem}',
  '**/.git/**',
];

// react-router's package exports resolve to its development build (dev warnings on) under every
// condition; a production build takes its production build instead.
const reactRouterProduction = fileURLToPath(
  new URL('./node_modules/react-router/dist/production/index.mjs', import.meta.url),
);

// The SPA lives in web/; `npm run dev` also serves api/ at /api/* (Vercel serves them in production).
export default defineConfig(({ mode }) => ({
  root: 'web',
  envDir: '..',
  plugins: [react(), apiFunctions()],
  resolve: { alias: mode === 'production' ? [{ find: /^react-router$/, replacement: reactRouterProduction }] : [] },
  build: { outDir: '../dist', emptyOutDir: true },
  server: { strictPort: false, fs: { strict: true, allow: SERVED, deny: REFUSED } },
}));

import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { apiFunctions } from './local/dev/vite-api-plugin.ts';

// react-router's package exports resolve to its development build (dev warnings on) under every
// condition; a production build takes its production build instead.
const reactRouterProduction = fileURLToPath(new URL('./node_modules/react-router/dist/production/index.mjs', import.meta.url));

// The SPA lives in web/; `npm run dev` also serves api/ at /api/* (Vercel serves them in production).
export default defineConfig(({ mode }) => ({
  root: 'web',
  envDir: '..',
  plugins: [react(), apiFunctions()],
  resolve: { alias: mode === 'production' ? [{ find: /^react-router$/, replacement: reactRouterProduction }] : [] },
  build: { outDir: '../dist', emptyOutDir: true },
  server: { strictPort: false },
}));

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { apiFunctions } from './local/dev/vite-api-plugin.ts';

// The SPA lives in web/; `npm run dev` also serves api/ at /api/* (Vercel serves them in production).
export default defineConfig({
  root: 'web',
  envDir: '..',
  plugins: [react(), apiFunctions()],
  build: { outDir: '../dist', emptyOutDir: true },
  server: { strictPort: false },
});

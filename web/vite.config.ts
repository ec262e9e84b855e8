// The typed web app, built ahead of time into the server's dist (server/dist/web/app), which serves it
// at /app/. One module script and one stylesheet, no inline code (the server's CSP has no 'unsafe-inline').
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../server/dist/web/app', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // No inline module preload polyfill: it would be an inline script under the CSP.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
});

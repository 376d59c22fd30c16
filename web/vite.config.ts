// Builds the web client into web/dist, which the pchat server serves at `/`.
// Everything is bundled (no CDN, no web fonts): the server's CSP allows no other origin.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // `npx vite web`: hot reload, with the API and WebSocket of a running pchat (PCHAT_URL, default :8080).
  server: { proxy: { '/api': { target: process.env.PCHAT_URL ?? 'http://localhost:8080', ws: true } } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});

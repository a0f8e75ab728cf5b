// Builds the dashboard into web/dist, which `baton serve` serves at `/`. `npx vite web` runs it
// with hot reload against a server on :8000 (BATON_URL to change), proxying the API and streams.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const server = process.env.BATON_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500, reportCompressedSize: false },
  server: { proxy: { '/api': server, '/ws': { target: server, ws: true } } },
});

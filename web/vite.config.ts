import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Served by the gateway at / (see gateway/static.ts); hashed files under /assets/ are cached for good.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true }, '/auth': 'http://127.0.0.1:4000' },
  },
});

import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Built by Maven (exec-maven-plugin) into target/classes/webroot, so the api-server jar carries the dashboard.
// ECOMCRM_WEBROOT overrides the output folder (the Maven build passes it explicitly).
const outDir = process.env.ECOMCRM_WEBROOT ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../target/classes/webroot');

export default defineConfig({
  base: '/app/',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // The budget is checked by scripts/bundle-size.mjs on the initial chunks; lazy screens may be larger.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:58080' },
  },
});

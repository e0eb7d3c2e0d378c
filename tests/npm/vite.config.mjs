// The scratch app's build: two pages, each importing the package by name.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  logLevel: 'warn',
  build: {
    outDir: resolve(here, 'dist'),
    emptyOutDir: true,
    rollupOptions: {
      input: {
        headless: resolve(here, 'headless.html'),
        mount: resolve(here, 'mount.html'),
      },
    },
  },
});

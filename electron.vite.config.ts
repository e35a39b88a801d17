import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Three builds: the Electron main process (with the inspection worker thread as a second entry), the
// preload bridge (CommonJS: sandboxed preloads cannot be ES modules), and the Svelte renderer. Native
// and heavy Node packages stay external to main.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'main/adapters/electron/main.ts'),
          'inspection-worker': resolve(__dirname, 'main/services/inspection-worker.ts'),
        },
        external: ['better-sqlite3', 'electron'],
        // Chunks next to the entries: services/worker-entry.ts finds the worker beside its own chunk.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'main/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    base: './',
    plugins: [svelte()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'renderer/index.html') },
    },
  },
});

/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Relative base so dist/ works from any sub-path of a static host.
export default defineConfig({
  base: './',
  plugins: [react()],
  resolve: {
    // Embedded datasets (vega-datasets' exports map only exposes CDN URLs): imported with `?url`,
    // copied into dist/ at build time and fetched lazily by the import worker.
    alias: { '@vega-data': fileURLToPath(new URL('./node_modules/vega-datasets/data', import.meta.url)) },
  },
  worker: {
    format: 'es',
    // tfjs-wasm's threaded build starts its pthread workers from the source text of a bundled
    // function; minified identifiers break it (the worker hangs). Worker bundles therefore stay
    // unminified (they load in the background); the main bundle is minified as usual.
    plugins: () => [
      {
        name: 'lab:unminified-workers',
        configResolved(config) {
          const client = config.environments.client;
          (config as { environments: typeof config.environments }).environments = {
            ...config.environments,
            client: { ...client, build: { ...client.build, minify: false } },
          };
        },
      },
    ],
  },
  // `LAB_COI=1 npm run preview` serves the build cross-origin isolated (threaded wasm), as a static
  // host with the headers from the README would.
  preview: process.env.LAB_COI
    ? {
        headers: {
          'Cross-Origin-Opener-Policy': 'same-origin',
          'Cross-Origin-Embedder-Policy': 'require-corp',
        },
      }
    : {},
  build: {
    target: 'es2022',
    sourcemap: true,
    rollupOptions: {
      // The app, plus the training-benchmark page `lab bench browser` opens (dist/src/bench/index.html).
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        bench: fileURLToPath(new URL('./src/bench/index.html', import.meta.url)),
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

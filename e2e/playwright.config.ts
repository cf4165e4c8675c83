import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser (see README). The suite runs against `vite preview`
// of the production build, so it tests what a static host would serve: once from a plain static
// host (project `plain`) and, for the specs tagged @isolated, from a host sending COOP/COEP
// (project `isolated`, `LAB_COI=1`, port + 1) where tfjs-wasm runs threaded.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.E2E_PORT ?? 4173);
const coiPort = port + 1;

const server = (p: number, isolated: boolean) => ({
  command: `${isolated ? 'LAB_COI=1 ' : ''}npx vite preview --host 127.0.0.1 --port ${p} --strictPort`,
  cwd: '..',
  url: `http://127.0.0.1:${p}/`,
  reuseExistingServer: !process.env.CI,
  timeout: 60_000,
});

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: '../test-results',
  use: {
    launchOptions: {
      executablePath,
      args: ['--enable-unsafe-webgpu', '--no-sandbox'],
    },
    viewport: { width: 1400, height: 900 },
  },
  projects: [
    { name: 'plain', use: { baseURL: `http://127.0.0.1:${port}/` } },
    { name: 'isolated', grep: /@isolated/, use: { baseURL: `http://127.0.0.1:${coiPort}/` } },
  ],
  webServer: [server(port, false), server(coiPort, true)],
});

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'bench/results', 'test-results', 'playwright-report', 'coverage'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Core is deterministic: one seeded RNG, never Math.random. Layers: core imports nothing above it.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the seeded Rng from src/core/rng.ts.' },
      ],
      'no-restricted-globals': ['error', 'window', 'document'],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/ui/**', '**/store/**', '**/workers/**', '**/cli/**', 'react', 'react-dom'],
              message: 'core is the bottom layer: it never imports ui, store, workers or cli.',
            },
          ],
        },
      ],
    },
  },
  {
    // Envs, data, indicators, features and metrics stay on typed arrays: no tfjs below the agents.
    files: [
      'src/core/{data,envs,indicators,features,metrics,baselines,experiment,workflows,sweeps,ensemble,kol,forecast}/**/*.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tensorflow/*'], message: 'Only src/core/agents imports tfjs.' },
            {
              group: ['**/ui/**', '**/store/**', '**/workers/**', '**/cli/**', 'react', 'react-dom'],
              message: 'core is the bottom layer: it never imports ui, store, workers or cli.',
            },
          ],
        },
      ],
    },
  },
  {
    // Imports flow ui → store → workers → core. The page never loads tfjs: ui and store may
    // import core's pure modules, and core/agents (the tfjs layer) only as types.
    files: ['src/ui/**/*.{ts,tsx}', 'src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tensorflow/*'], message: 'The page never imports tfjs; the workers do.' },
            {
              group: [
                '**/core/agents/**',
                '**/core/run/trainer*',
                '**/core/experiment/run*',
                '**/core/workflows/runners*',
              ],
              allowTypeImports: true,
              message:
                'ui/store import core/agents and the runners only as types (they pull tfjs into the page).',
            },
            { group: ['**/cli/**'], message: 'The CLI is a separate front end; the page never imports it.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/ui/**'],
              message: 'store never imports ui (imports flow ui → store → workers → core).',
            },
            { group: ['@tensorflow/*'], message: 'The page never imports tfjs; the workers do.' },
            {
              group: ['**/core/agents/**'],
              allowTypeImports: true,
              message: 'store imports core/agents only as types.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/ui/**', '**/src/store/**', '**/src/cli/**'],
              message: 'workers sit under ui and store: they import only core.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
);

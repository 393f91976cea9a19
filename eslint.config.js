// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'test-results/**', 'playwright-report/**', '.prof/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name='only']",
          message: 'No .only in committed tests.',
        },
      ],
    },
  },
  {
    // The engine is pure TypeScript: no DOM, no Node, no React (DESIGN §1).
    files: ['packages/engine/src/**/*.ts'],
    ignores: [
      'packages/engine/src/**/*.test.ts',
      'packages/engine/src/**/*.test-*.ts',
      'packages/engine/src/testing/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['react', 'react-dom', 'fs', 'path', 'crypto', 'worker_threads', 'buffer', 'events'],
          patterns: ['node:*', '@weft/worker*', '@weft/react*', '@weft/devtools*', '@weft/relay*'],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'indexedDB', 'navigator'],
    },
  },
  {
    // Hooks rules wherever React is used.
    files: ['packages/react/**/*.{ts,tsx}', 'packages/devtools/**/*.{ts,tsx}', 'examples/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // The worker and React packages are browser code, never Node; dependencies point one way.
    files: ['packages/worker/src/**/*.ts'],
    ignores: ['packages/worker/src/**/*.test.ts', 'packages/worker/src/**/*.test-*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['react', 'react-dom'], patterns: ['node:*', '@weft/react*', '@weft/devtools*', '@weft/relay*'] },
      ],
    },
  },
  {
    // The relay depends on the engine only (relay → engine).
    files: ['packages/relay/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['react', 'react-dom'], patterns: ['@weft/worker*', '@weft/react*', '@weft/devtools*'] },
      ],
    },
  },
);

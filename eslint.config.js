// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
);

// ESLint flat config: JavaScript + typescript-eslint recommended rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'pkg/**', 'target/**', 'node_modules/**', 'ts/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Node scripts (plain JavaScript): declare the Node globals they use.
    files: ['scripts/**/*.mjs', 'scripts/**/*.js'],
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
  },
  {
    // The platform boundary: the neutral library (ts/*.ts, dataset/, tasks/, output/, browser/) runs in
    // browsers too, so it never imports Node built-ins, the Node adapters or the CLI.
    files: ['ts/*.ts', 'ts/dataset/**', 'ts/tasks/**', 'ts/output/**', 'ts/browser/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Node-only: put this module in ts/node/ or ts/cli/.' },
            {
              group: ['**/node/*', '**/cli/*'],
              message: 'The neutral library must not import Node or CLI modules.',
            },
          ],
        },
      ],
    },
  },
  {
    // Node adapters never import the CLI.
    files: ['ts/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/cli/*'], message: 'ts/node/ must not import the CLI.' }] },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
);

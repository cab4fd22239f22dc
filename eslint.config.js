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
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'e2e/.cache/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Node 20's V8 gives every object made by a literal that starts with a spread and goes on (`{ ...a, b }`) a
    // hidden class of its own, about 250 bytes each (`{ ...a }` alone, or a literal that starts with a field, share
    // one). The compiler path keeps tens of thousands of such objects on a big mesh (statuses, ports, routes).
    files: [
      'src/translate/**/*.ts',
      'src/render/**/*.ts',
      'src/serve/**/*.ts',
      'src/compile/**/*.ts',
      'xds/**/*.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ObjectExpression > SpreadElement:first-child ~ *',
          message:
            'A literal that starts with a spread and goes on gets a hidden class of its own per object in V8 11 (Node 20): start it with a field, or use Object.assign({}, a, { b }).',
        },
      ],
    },
  },
);

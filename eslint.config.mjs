// ESLint 9 flat config: typescript-eslint's recommended rules over every folder we write code in.
// The run must end with zero warnings (`--max-warnings 0`), so each rule below is either an error or off.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Shipped code logs through pino (DESIGN §5.10); scripts, benchmarks and tests may print. */
const SOURCE = ['bot/**', 'cards/**', 'domain/**', 'prisma/**', 'payments/**'];

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'prisma/generated/**', 'prisma/generated-pg/**', 'build/**', 'docs/**', '.tmp/**', 'coverage/**', 'data/**', 'bench/.data/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // An `any` needs a reason next to it; `unknown` plus narrowing is the default.
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  {
    files: SOURCE,
    rules: { 'no-console': 'error' },
  },
  {
    // The pages run in the browser (Teams tabs and dialogs).
    files: ['web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // CommonJS files: the jest and dependency-cruiser configs, the postinstall script.
    files: ['**/*.cjs', 'jest.config.js', 'scripts/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // In tests `require` loads a module after its mocks are set, and regexes match formatted schema text,
    // where the literal two-space indentation reads better than ` {2}`.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-regex-spaces': 'off' },
  },
);

// ESLint: typescript-eslint's type-checked rules over the server, shared code, client, tests and
// benchmarks (`npm run lint`, run by `npm test` before the suites; zero findings is the rule).
// Formatting is Prettier's job (`npm run format`), so no stylistic rules here.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'client/dist/**', 'test/.tmp/**', 'recordings/**', 'data/**', 'bench/capacity/rtptool.c'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      // Unused parameters are a compile error (noUnusedParameters); a leading underscore marks the deliberate ones.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-misused-promises': 'error',
      // Handler tables and interfaces are typed to return promises; an implementation that needs no
      // await is still written `async`, so that a throw becomes a rejection like everywhere else.
      '@typescript-eslint/require-await': 'off',
      // `${n}` of numbers and booleans in log lines and messages is intended.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
    },
  },
  {
    // Tests and benchmarks read untyped JSON answers and browser page state (`page.evaluate`);
    // typing each of those reads would only add assertions. The product code keeps these rules.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['client/**/*.ts', 'client/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Plain-Node scripts and configs (no type information).
    files: ['**/*.mjs', '**/*.cjs', '**/*.js', 'client/vite.config.mts'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

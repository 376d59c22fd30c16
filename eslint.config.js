// Lint, including the rule that keeps the architecture honest: each layer may import only
// the layers beneath it (see docs/ARCHITECTURE.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
  },
});

const OUTER = ['**/app/**', '**/interchange/**', '**/storage/**', '**/delivery/**', '**/protocols/**', '**/cli/**', '**/config/**', '**/observability/**', '**/main.js'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['bin/**', 'scripts/**', 'bench/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', URL: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  { files: ['test/**', 'bench/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  layer(['src/core/**'], [...OUTER, '**/ports/**', 'node:*'], 'core is the pure domain: no I/O and no imports from outer layers.'),
  layer(['src/ports/**'], OUTER, 'ports may depend on core only.'),
  layer(['src/app/**'], OUTER.filter((p) => p !== '**/app/**'), 'app (use cases) may depend on core and ports only.'),
  layer(['src/storage/**'], OUTER.filter((p) => p !== '**/storage/**'), 'storage adapters implement ports; they may depend on core and ports only.'),
  layer(['src/delivery/**'], OUTER.filter((p) => p !== '**/delivery/**'), 'delivery implements ports; it may depend on core and ports only.'),
  layer(['src/protocols/http/**'], ['**/storage/**', '**/cli/**', '**/main.js', '**/ws/**', '**/irc/**'], 'protocols go through app; they never import storage, the CLI, or each other.'),
  layer(['src/protocols/ws/**'], ['**/storage/**', '**/cli/**', '**/main.js', '**/http/**', '**/irc/**'], 'protocols go through app; they never import storage, the CLI, or each other.'),
  layer(['src/protocols/irc/**'], ['**/storage/**', '**/cli/**', '**/main.js', '**/http/**', '**/ws/**'], 'protocols go through app; they never import storage, the CLI, or each other.'),
  layer(['src/interchange/**'], ['**/storage/**', '**/protocols/**', '**/cli/**', '**/delivery/**', '**/main.js'], 'interchange (archives, export, import, verify, legacy sources) goes through app and ports; it never imports storage, protocols or the CLI.'),
  layer(['src/cli/**'], ['**/storage/**', '**/protocols/**'], 'the CLI reaches pchat through main.ts and the app layer.'),
);

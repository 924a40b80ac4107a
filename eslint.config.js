// ESLint flat config. Non-type-aware rules only (type-aware linting is slow on small machines).
// The layering of the design notes (README "Map of the code", CONTRIBUTING.md) is enforced by eslint-plugin-boundaries ("boundaries/dependencies"):
//   shared <- ingest, pipeline <- service <- api, dimse, cli;   viewer: `import type` from api/shared only.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const boundaries = require('eslint-plugin-boundaries');
const globals = require('globals');

const LAYERS = ['shared', 'ingest', 'pipeline', 'service', 'api', 'dimse', 'cli', 'viewer'];
const allow = (from, to, dependency) => ({
  from: { element: { type: from } },
  allow: { to: { element: { types: { anyOf: to } } }, ...(dependency ? { dependency } : {}) },
});

module.exports = tseslint.config(
  // what is built, fetched or generated (see .gitignore), and the Python recipe and its weights
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**', 'test-artifacts/**', 'tmp/**', '.gl/**', '.whl/**', 'training/**', 'models/**'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // bin/, scripts/, bench/ and this file: plain CommonJS scripts run by node
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      // `_name` marks a binding kept on purpose (express's 4-argument error handler, `{ omitted: _x, ...rest }`)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // a `let` read by a callback before its one assignment (src/cli/serve.ts: metrics) is not a const
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': LAYERS.map((type) => ({ type, pattern: `src/${type}` })),
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
    },
    rules: {
      'boundaries/dependencies': ['error', {
        default: 'disallow',
        policies: [
          ...LAYERS.map((l) => allow(l, [l])),
          allow('ingest', ['shared']),
          allow('pipeline', ['shared']),
          allow('service', ['shared', 'ingest', 'pipeline']),
          allow('api', ['shared', 'ingest', 'pipeline', 'service']),
          allow('dimse', ['shared', 'ingest', 'pipeline', 'service']),
          allow('cli', ['shared', 'ingest', 'pipeline', 'service', 'api', 'dimse']),
          allow('viewer', ['api', 'shared'], { kind: 'type' }),
        ],
      }],
    },
  },
);

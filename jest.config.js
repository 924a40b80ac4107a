/** Tests mirror src/ under test/. Integration suites that need system tools (dciodvfy, redis-server,
 * chromium) find them through scripts/system-deps.sh, which `npm test` runs first. */
// onnxruntime's telemetry off in the test workers too (src/pipeline/runtime/telemetry-off.ts says why): jest's sandbox
// gives each test file a copy of process.env, whose writes do not reach the C library's environment
process.env.ORT_DISABLE_TELEMETRY ??= '1';

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // removes the temporary directories each test file made (test/helpers/temp-dirs.ts) after it
  setupFilesAfterEnv: ['<rootDir>/test/helpers/remove-temp-dirs.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 60000,
  maxWorkers: 2,
};

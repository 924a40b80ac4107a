/** Tests mirror src/ under test/. Integration suites that need system tools (dciodvfy, redis-server,
 * chromium) find them through scripts/system-deps.sh, which `npm test` runs first. */
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

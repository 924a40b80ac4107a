#!/usr/bin/env node
// Viewer benchmark: runs test/viewer/viewer.bench.ts under jest (outside `npm test`, whose
// pattern is *.test.ts) and prints its numbers. Needs `npm run build` (dist/viewer) and chromium.
// BENCH_SLICES / BENCH_SIZE change the series (default 100 slices of 512x512).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const result = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--testMatch', '**/test/viewer/viewer.bench.ts', '--verbose=false'],
  { cwd: root, stdio: 'inherit', env: process.env });
process.exit(result.status ?? 1);

#!/usr/bin/env node
// Ingest benchmark (build first: npm run build). Usage:
//   node scripts/bench-ingest.js [--slices 300] [--repeats 5] [--archive-slices 2000] [--json] [SLICE.dcm]
// Replicates a real 512x512 CT slice (the corpus ankle CT by default) into a series, uncompressed
// and JPEG 2000, times reading + decoding it, and measures peak RSS while streaming a big zip.
const path = require('node:path');
const { benchIngest, formatBenchReport } = require('../dist/ingest/bench-ingest.js');

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  args.splice(i, 2);
  return value;
};
const slices = flag('--slices', 300);
const repeats = flag('--repeats', 5);
const archiveSlices = flag('--archive-slices', 2000);
const json = args.includes('--json');
const positional = args.filter((a) => !a.startsWith('--'));
const sourceSlice = positional[0] ?? path.join(__dirname, '..', '.cache', 'corpus', 'octave-dicom', 'usr', 'share', 'octave', 'packages', 'dicom-0.5.1', 'imdata', 'CT-MONO2-16-ankle.dcm');

benchIngest({ sourceSlice, slices, repeats, archiveSlices })
  .then((report) => process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatBenchReport(report)))
  .catch((err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  });

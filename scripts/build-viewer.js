#!/usr/bin/env node
// Bundles the web viewer (src/viewer) into dist/viewer/: index.html, viewer.css, viewer.js.
// Everything is bundled locally (no CDN, no web fonts): nothing leaves the machine at run time.
// Type checking is separate (tsc -p src/viewer/tsconfig.json, run by `npm run build`).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'src', 'viewer');
const out = path.join(root, 'dist', 'viewer');

// dicom-parser require()s zlib for the deflated transfer syntax; our server sends the viewer
// uncompressed files only, so the browser bundle gets an empty module instead.
const emptyZlib = {
  name: 'empty-zlib',
  setup(build) {
    build.onResolve({ filter: /^zlib$/ }, () => ({ path: 'zlib', namespace: 'empty' }));
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};' }));
  },
};

async function main() {
  const watch = process.argv.includes('--watch');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  fs.copyFileSync(path.join(src, 'index.html'), path.join(out, 'index.html'));
  fs.copyFileSync(path.join(src, 'viewer.css'), path.join(out, 'viewer.css'));
  const options = {
    entryPoints: [path.join(src, 'main.ts')],
    outfile: path.join(out, 'viewer.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari16'],
    minify: !watch,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
    plugins: [emptyZlib],
  };
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
    process.stderr.write('build-viewer: watching src/viewer\n');
    return;
  }
  const result = await esbuild.build({ ...options, metafile: true });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  process.stderr.write(`build-viewer: dist/viewer (${(bytes / 1024).toFixed(0)} KiB)\n`);
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});

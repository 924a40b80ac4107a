#!/usr/bin/env node
/* Compares `medsr eval` reports with the model card's numbers (the recipe's evaluation, kept per
 * validation subject in model_index.json `metrics.sr_subjects`) and prints the markdown table of
 * docs/eval-reproduction.md.
 *
 *   node scripts/eval-vs-card.js MODEL_DIR SUBJECT:EVAL_DIR [SUBJECT:EVAL_DIR ...]
 *
 * Each EVAL_DIR holds the eval.json of one `medsr eval` run (one subject, scale, degradation). */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

// `medsr eval` method -> the recipe's method name
const CARD_NAME = {
  bicubic: 'bicubic', lanczos: 'lanczos', 'zero-fill': 'zero-filled Fourier',
  'regression+dc': 'regression', 'diffusion+dc': 'diffusion', 'diffusion+dc told': 'diffusion, told',
};

function main(argv) {
  const [modelDir, ...evalDirs] = argv;
  if (!modelDir || evalDirs.length === 0) {
    process.stderr.write('usage: node scripts/eval-vs-card.js MODEL_DIR SUBJECT:EVAL_DIR [SUBJECT:EVAL_DIR ...]\n');
    return 2;
  }
  const card = JSON.parse(fs.readFileSync(path.join(modelDir, 'model_index.json'), 'utf8')).metrics.sr_subjects;
  const f2 = (x) => x.toFixed(2);
  const f4 = (x) => x.toFixed(4);
  const d2 = (x) => (x >= 0 ? '+' : '') + x.toFixed(2);
  const d4 = (x) => (x >= 0 ? '+' : '') + x.toFixed(4);
  const lines = [
    '| subject | degr. | scale | method | card PSNR mask | medsr eval | diff | card SSIM mask | medsr eval | diff | card PSNR whole | medsr eval | diff |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const arg of evalDirs) {
    const [subject, dir] = arg.split(':');
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'eval.json'), 'utf8'));
    for (const group of report.groups) {
      for (const m of group.methods) {
        const name = CARD_NAME[m.method];
        const row = card.find((r) => r.subject === subject && r.degradation === group.degradation
          && r.scale === report.scale && r.method === name);
        if (!row) continue;
        lines.push(`| ${subject} | ${group.degradation} | x${report.scale} | ${name} | ${f2(row.psnr_mask)} | ${f2(m.psnrMask)} | ${d2(m.psnrMask - row.psnr_mask)} | `
          + `${f4(row.ssim_mask)} | ${f4(m.ssimMask)} | ${d4(m.ssimMask - row.ssim_mask)} | ${f2(row.psnr_whole)} | ${f2(m.psnr)} | ${d2(m.psnr - row.psnr_whole)} |`);
      }
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));

#!/usr/bin/env node
// Load test for `medsr serve`: 50 concurrent synchronous upscales of a real slice, while one
// client polls /healthz. Reports how many were served, refused (503 + Retry-After) or failed,
// latencies, /healthz latency under load, and the server's peak RSS. Appends a row to
// bench/load/RESULTS.md with the machine. Usage (after `npm run build`):
//   node bench/load/load.js [--connections 50] [--duration 30] [--file slice.dcm] [--scale 2]
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');

const ROOT = path.resolve(__dirname, '..', '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const connections = Number(args.connections ?? 50);
const duration = Number(args.duration ?? 30);
const scale = Number(args.scale ?? 2);
const file = args.file ?? path.join(ROOT, '.cache/corpus/python3-pydicom/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small.dcm');
const port = Number(args.port ?? 18080);
const base = `http://127.0.0.1:${port}`;

async function waitReady(timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('server not ready in time');
}

function peakRss(pid, samples) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    samples.push(kb / 1024);
  } catch {}
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medsr-load-'));
  const server = spawn(process.execPath, [path.join(ROOT, 'bin/medsr.js'), 'serve', '--port', String(port), '--data-dir', dataDir], {
    env: { ...process.env, MEDSR_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await waitReady(180_000);
    const body = fs.readFileSync(file);
    const rss = [];
    const rssTimer = setInterval(() => peakRss(server.pid, rss), 250);
    const statuses = {};
    const load = autocannon({
      url: `${base}/api/v1/upscale?scale=${scale}&seed=1`,
      method: 'POST',
      headers: { 'content-type': 'application/dicom' },
      body,
      connections,
      duration,
      timeout: 120,
    });
    load.on('response', (_client, statusCode) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
    const health = autocannon({ url: `${base}/healthz`, connections: 1, duration, overallRate: 10 });
    const [l, h] = await Promise.all([load, health]);
    clearInterval(rssTimer);
    const served = statuses[200] ?? 0;
    const refused = statuses[503] ?? 0;
    const other = Object.entries(statuses).filter(([s]) => s !== '200' && s !== '503').reduce((a, [, n]) => a + n, 0) + l.errors + l.timeouts;
    const row = {
      date: new Date().toISOString().slice(0, 16).replace('T', ' '),
      machine: `${os.cpus().length}x ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      connections,
      duration,
      served,
      refused,
      other,
      p50: l.latency.p50,
      p99: l.latency.p99,
      healthP50: h.latency.p50,
      healthP99: h.latency.p99,
      healthMax: h.latency.max,
      healthNon2xx: h.non2xx + h.errors,
      rssMiB: Math.round(Math.max(0, ...rss)),
    };
    console.log(JSON.stringify(row, null, 2));
    const results = path.join(__dirname, 'RESULTS.md');
    if (!fs.existsSync(results)) {
      fs.writeFileSync(results, [
        '# Load test results (`node bench/load/load.js`)',
        '',
        'Synchronous `POST /api/v1/upscale` of one real slice (pydicom MR_small.dcm, 64x64, x2) by N',
        'concurrent connections for the duration, while one client calls `/healthz` 10 times a second.',
        '"served" = 200, "refused" = 503 + Retry-After (bounded queue full), "other" = any other status,',
        'socket error or timeout. Latencies in ms. RSS = peak resident memory of the server process.',
        '',
        '| date (UTC) | machine | conns | s | served | refused | other | upscale p50 | upscale p99 | healthz p50 | healthz p99 | healthz max | healthz errors | peak RSS MiB |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
        '',
      ].join('\n'));
    }
    fs.appendFileSync(results, `| ${row.date} | ${row.machine} | ${row.connections} | ${row.duration} | ${row.served} | ${row.refused} | ${row.other} | ${row.p50} | ${row.p99} | ${row.healthP50} | ${row.healthP99} | ${row.healthMax} | ${row.healthNon2xx} | ${row.rssMiB} |\n`);
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

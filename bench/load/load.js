#!/usr/bin/env node
// Load test for `medsr serve`: 50 concurrent synchronous upscales of a real slice, while one
// client polls /healthz. Reports how many were served, refused (503 + Retry-After) or failed,
// latencies, /healthz latency under load, and the server's peak RSS. Appends a row to
// bench/load/RESULTS.md with the machine. Usage (after `npm run build`):
//   node bench/load/load.js [--connections 50] [--duration 30] [--file slice.dcm] [--scale 2]
//                           [--max-queue 64] [--workers 1] [--model DIR] [--steps N]
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
const maxQueue = Number(args['max-queue'] ?? 64);
const workers = Number(args.workers ?? 1);
const steps = args.steps ? `&steps=${Number(args.steps)}` : '';

async function waitReady(timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) return;
    } catch {
      // not listening yet: try again
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('server not ready in time');
}

function peakRss(pid, samples) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    samples.push(kb / 1024);
  } catch {
    // the process has exited between samples: nothing to record
  }
}

function pct(values, p) {
  if (values.length === 0) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medsr-load-'));
  const serveArgs = ['serve', '--port', String(port), '--data-dir', dataDir, '--workers', String(workers), ...(args.model ? ['--model', args.model] : [])];
  const server = spawn(process.execPath, [path.join(ROOT, 'bin/medsr.js'), ...serveArgs], {
    env: { ...process.env, MEDSR_LOG_LEVEL: 'warn', MEDSR_MAX_QUEUE: String(maxQueue) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await waitReady(180_000);
    const body = fs.readFileSync(file);
    const rss = [];
    const rssTimer = setInterval(() => peakRss(server.pid, rss), 250);
    const statuses = {};
    const load = autocannon({
      url: `${base}/api/v1/upscale?scale=${scale}&seed=1${steps}`,
      method: 'POST',
      headers: { 'content-type': 'application/dicom' },
      body,
      connections,
      duration,
      timeout: 120,
    });
    const latencies = { 200: [], 503: [] };
    load.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      latencies[statusCode]?.push(responseTime);
    });
    const health = new Promise((resolve, reject) => {
      const probe = spawn(process.execPath, [path.join(__dirname, 'health-probe.js'), `${base}/healthz`, String(duration)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      probe.stdout.on('data', (d) => (out += d));
      probe.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`health probe exited ${code}`))));
    });
    const [l, h] = await Promise.all([load, health]);
    clearInterval(rssTimer);
    // the server's own view: event-loop lag (prom-client samples it) tells a blocked server from a busy machine
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const lagMax = Number(/^medsr_nodejs_eventloop_lag_max_seconds (\S+)/m.exec(metrics)?.[1] ?? NaN);
    const lagP99 = Number(/^medsr_nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(metrics)?.[1] ?? NaN);
    const load1 = os.loadavg()[0].toFixed(1);
    const served = statuses[200] ?? 0;
    const refused = statuses[503] ?? 0;
    const other = Object.entries(statuses).filter(([s]) => s !== '200' && s !== '503').reduce((a, [, n]) => a + n, 0) + l.errors + l.timeouts;
    const row = {
      date: new Date().toISOString().slice(0, 16).replace('T', ' '),
      machine: `${os.cpus().length}x ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      model: path.basename(path.resolve(args.model ?? 'models/medsr-ldm-v2')),
      workers,
      maxQueue,
      connections,
      duration,
      served,
      refused,
      other,
      servedP50: pct(latencies[200], 50),
      servedP99: pct(latencies[200], 99),
      refusedP50: pct(latencies[503], 50),
      refusedP99: pct(latencies[503], 99),
      healthP50: pct(h.latencies, 50),
      healthP99: pct(h.latencies, 99),
      healthMax: Math.round(Math.max(...h.latencies)),
      healthNon2xx: h.errors,
      rssMiB: Math.round(Math.max(0, ...rss)),
      lagP99Ms: Math.round(lagP99 * 1000),
      lagMaxMs: Math.round(lagMax * 1000),
      load1,
    };
    console.log(JSON.stringify(row, null, 2));
    const results = path.join(__dirname, 'RESULTS.md');
    if (!fs.existsSync(results)) {
      fs.writeFileSync(results, [
        '# Load test results (`node bench/load/load.js`)',
        '',
        'Synchronous `POST /api/v1/upscale` of one real slice (pydicom MR_small.dcm, 64x64, x2) by N',
        'concurrent connections for the duration, while a separate process calls `/healthz` 10 times a second.',
        '"served" = 200, "refused" = 503 + Retry-After (bounded queue full), "other" = any other status,',
        'socket error or timeout. Latencies in ms. RSS = peak resident memory of the server process.',
        '',
        '| date (UTC) | machine | model | inference workers | max queue | conns | s | served | refused | other | served p50 / p99 | refused p50 / p99 | healthz p50 | healthz p99 | healthz max | healthz errors | peak RSS MiB | event-loop lag p99 / max ms | load avg (1 min) at end |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
        '',
      ].join('\n'));
    }
    fs.appendFileSync(results, `| ${row.date} | ${row.machine} | ${row.model} | ${row.workers} | ${row.maxQueue} | ${row.connections} | ${row.duration} | ${row.served} | ${row.refused} | ${row.other} | ${row.servedP50} / ${row.servedP99} | ${row.refusedP50} / ${row.refusedP99} | ${row.healthP50} | ${row.healthP99} | ${row.healthMax} | ${row.healthNon2xx} | ${row.rssMiB} | ${row.lagP99Ms} / ${row.lagMaxMs} | ${row.load1} |\n`);
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

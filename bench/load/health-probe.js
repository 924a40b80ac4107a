'use strict';
// Calls /healthz 10 times a second from its own process (so the load generator's busy event loop
// does not count against the server) and prints the latencies as JSON. argv: url durationSeconds
const http = require('node:http');

const [url, seconds] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const latencies = [];
let errors = 0;
const end = Date.now() + Number(seconds) * 1000;

function probe() {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const req = http.get(url, { agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
        else errors++;
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

(async () => {
  while (Date.now() < end) {
    const started = Date.now();
    await probe();
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
  }
  process.stdout.write(JSON.stringify({ latencies, errors }));
  agent.destroy();
})();

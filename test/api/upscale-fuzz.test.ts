/**
 * Hostile input over HTTP: thousands of mutants of small real DICOM files posted to
 * POST /api/v1/upscale, through the real ingest, transform chain and write-back (the resolver
 * replicates pixels so a slice costs milliseconds). Every answer must be 2xx or 4xx, no bigger
 * than a function of the file's own pixel count, the process must not balloon, and /healthz
 * must answer promptly throughout. Count-based and seeded, so CI runs the same cases each time.
 */
import fs from 'node:fs';
import os from 'node:os';
import { SeededRng } from '../../src/shared/rng';
import { createNearestProcessor } from '../service/helpers/nearest-processor';
import { CORPUS, CT_SMALL } from '../service/helpers/replicating-processor';
import { startTestServer, type TestServer } from './helpers/api-fixture';

const SEED = Number(process.env.MEDSR_FUZZ_SEED ?? 20261205);
const CASES = Number(process.env.MEDSR_HTTP_FUZZ_CASES ?? 2000);
const SEEDS = ['MR_small.dcm', 'MR_small_implicit.dcm', 'MR_small_bigendian.dcm', 'CT_small.dcm'].map((name) => new Uint8Array(fs.readFileSync(`${CORPUS}/${name}`)));

/** CT_small with the two VR bytes of PatientName zeroed: once a 1.9 GB answer after 72 s. */
export function zeroedPatientNameVr(): Uint8Array {
  const bytes = new Uint8Array(fs.readFileSync(CT_SMALL));
  const at = Buffer.from(bytes).indexOf(Buffer.from([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e]), 132);
  bytes[at + 4] = 0;
  bytes[at + 5] = 0;
  return bytes;
}

function mutate(source: Uint8Array, rng: SeededRng): Uint8Array {
  const pick = (n: number): number => rng.nextUint32() % Math.max(1, n);
  // most mutations land in the header (the first 1.5 kB), where lengths and VRs live
  const where = (): number => (rng.nextFloat() < 0.8 ? pick(Math.min(1536, source.length)) : pick(source.length));
  const bytes = source.slice();
  switch (pick(5)) {
    case 0:
      for (let k = 1 + pick(8); k > 0; k--) bytes[where()] = pick(256);
      return bytes;
    case 1:
      return bytes.slice(0, pick(bytes.length));
    case 2: {
      // a VR made unknown (or zeroed), as the fuzzer did
      const vr = findVr(bytes, where());
      if (vr >= 0) bytes.fill(pick(2) === 0 ? 0 : pick(256), vr, vr + 2);
      return bytes;
    }
    case 3: {
      const at = where();
      bytes[at] = 0xff;
      bytes[at + 1] = 0xff;
      if (pick(2) === 0) bytes[at + 2] = 0x7f;
      return bytes;
    }
    default: {
      const at = where();
      bytes.copyWithin(where(), at, at + 1 + pick(128));
      return bytes;
    }
  }
}

/** Offset of the next two upper-case letters (an explicit VR) at or after `from`, or -1. */
function findVr(bytes: Uint8Array, from: number): number {
  for (let i = Math.max(132, from); i + 1 < bytes.length; i++) {
    if (bytes[i]! >= 0x41 && bytes[i]! <= 0x5a && bytes[i + 1]! >= 0x41 && bytes[i + 1]! <= 0x5a) return i;
  }
  return -1;
}

describe('POST /api/v1/upscale under hostile input', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ processor: createNearestProcessor(), syncConcurrency: 1 });
  });
  afterAll(() => server.close());

  const post = (body: Uint8Array) =>
    fetch(`${server.url}/api/v1/upscale?scale=2`, { method: 'POST', body: new Uint8Array(body), headers: { 'Content-Type': 'application/dicom' } });

  it('refuses a corrupt VR at read time with a small 400 naming the element', async () => {
    const started = Date.now();
    const res = await post(zeroedPatientNameVr());
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text.length).toBeLessThan(2000);
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('dicom.bad_element');
    expect(body.error.message).toContain('(0010,0010)');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it(`answers ${CASES} mutants with 2xx/4xx only, bounded answers and memory, /healthz responsive`, async () => {
    const rng = new SeededRng(SEED);
    const statuses = new Map<number, number>();
    const rssBefore = process.memoryUsage.rss();
    let peakRss = rssBefore;
    let slowestHealth = 0;
    for (let i = 0; i < CASES; i++) {
      const body = mutate(SEEDS[rng.nextUint32() % SEEDS.length]!, rng);
      const answer = post(body);
      if (i % 100 === 0) {
        // asked while the mutant is being worked on
        const t0 = performance.now();
        const health = await fetch(`${server.url}/healthz`);
        expect(health.status).toBe(200);
        await health.arrayBuffer();
        slowestHealth = Math.max(slowestHealth, performance.now() - t0);
      }
      const res = await answer;
      const size = (await res.arrayBuffer()).byteLength;
      if (res.status >= 500 || res.status < 200 || (res.status >= 300 && res.status < 400)) {
        fs.writeFileSync(`${os.tmpdir()}/medsr-http-fuzz-${SEED}-${i}.dcm`, body);
        throw new Error(`mutant ${i} (seed ${SEED}) answered ${res.status}`);
      }
      // scale 2: at most 4x the pixels, each pixel widened at most 8x (1-bit to 16-bit), plus the header
      expect(size).toBeLessThanOrEqual(32 * body.length + 256 * 1024);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (i % 50 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
    expect(statuses.get(200) ?? 0).toBeGreaterThan(CASES / 20);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    expect(peakRss - rssBefore).toBeLessThan(512 * 1024 ** 2);
    // the stall this guards against lasted 60 s; 5 s leaves room for a loaded CI machine
    expect(slowestHealth).toBeLessThan(5000);
    process.stderr.write(`http fuzz: ${CASES} mutants, statuses ${JSON.stringify(Object.fromEntries(statuses))}, slowest /healthz ${slowestHealth.toFixed(0)} ms, rss +${((peakRss - rssBefore) / 2 ** 20).toFixed(0)} MiB\n`);
  }, 600_000); // ~40 s on 2 idle cores; the bound is for a loaded, shared machine: the work is count-based
});

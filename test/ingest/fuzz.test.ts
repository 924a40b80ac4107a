/**
 * Mutation fuzzing over real corpus files in every codec: flipped bytes, truncations, inserted
 * and overwritten runs, in the header and in the pixel data. Reading and decoding must either
 * succeed or throw a MedsrError of a user-facing kind (never an internal error, a raw exception,
 * a crash or a hang). Seeded and count-based: every run (a fast machine or a loaded CI box)
 * checks exactly the same cases; MEDSR_FUZZ_CASES / MEDSR_ZIP_FUZZ_CASES run more.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame, readDicomBytes, readInputs } from '../../src/ingest';
import { MedsrError } from '../../src/shared/errors';
import { SeededRng } from '../../src/shared/rng';
import { makeTempDir, pydicom, writeZip } from './helpers';

const SEED = Number(process.env.MEDSR_FUZZ_SEED ?? 20261122);
const CASES = Number(process.env.MEDSR_FUZZ_CASES ?? 1500);
const ZIP_CASES = Number(process.env.MEDSR_ZIP_FUZZ_CASES ?? 150);
/** A hang detector, not a benchmark: one small mutated file taking this long means a decoder looped. */
const PER_CASE_LIMIT_MS = 5000;

const SEEDS = [
  'MR_small.dcm',
  'MR_small_bigendian.dcm',
  'MR_small_implicit.dcm',
  'MR_small_RLE.dcm',
  'MR_small_jp2klossless.dcm',
  'MR_small_jpeg_ls_lossless.dcm',
  'SC_rgb_jpeg_gdcm.dcm',
  'SC_rgb_jpeg_dcmtk.dcm',
  'SC_rgb_rle_2frame.dcm',
  'image_dfl.dcm',
  'rtdose_rle_1frame.dcm',
  'JPGExtended.dcm',
].map((name) => ({ name, bytes: new Uint8Array(fs.readFileSync(pydicom(name))) }));

function mutate(source: Uint8Array, rng: SeededRng): Uint8Array {
  const pick = (n: number): number => rng.nextUint32() % Math.max(1, n);
  // half the mutations land in the first kilobyte, where the header and pixel module live
  const where = (): number => (rng.nextFloat() < 0.5 ? pick(Math.min(1024, source.length)) : pick(source.length));
  const bytes = source.slice();
  switch (pick(6)) {
    case 0: {
      for (let k = 1 + pick(16); k > 0; k--) bytes[where()] = pick(256);
      return bytes;
    }
    case 1:
      return bytes.slice(0, pick(bytes.length));
    case 2: {
      const at = where();
      const junk = Uint8Array.from({ length: 1 + pick(64) }, () => pick(256));
      return Uint8Array.from([...bytes.subarray(0, at), ...junk, ...bytes.subarray(at)]);
    }
    case 3: {
      const at = where();
      bytes.fill(rng.nextFloat() < 0.5 ? 0xff : 0x00, at, at + 1 + pick(256));
      return bytes;
    }
    case 4: {
      // lengths and counts are 16/32-bit little-endian numbers: make one huge
      const at = where();
      bytes[at] = 0xff;
      bytes[at + 1] = 0xff;
      return bytes;
    }
    default: {
      const at = where();
      const length = 1 + pick(512);
      const to = where();
      bytes.copyWithin(to, at, at + length);
      return bytes;
    }
  }
}

it('survives thousands of mutated files with typed errors only', async () => {
  const rng = new SeededRng(SEED);
  const started = Date.now();
  const outcomes = new Map<string, number>();
  let slowest = { ms: 0, name: '' };
  const hung: string[] = [];
  for (let cases = 0; cases < CASES; cases++) {
    const seed = SEEDS[rng.nextUint32() % SEEDS.length]!;
    const bytes = mutate(seed.bytes, rng);
    const t0 = Date.now();
    let outcome = 'ok';
    try {
      const instance = readDicomBytes(bytes, { path: seed.name, label: `${seed.name}#${cases}` });
      for (let f = 0; f < Math.min(instance.pixel.frames, 4); f++) {
        const frame = await decodeFrame(instance, f);
        expect(frame.stored.length).toBe(instance.pixel.rows * instance.pixel.columns * instance.pixel.samplesPerPixel);
      }
    } catch (err) {
      if (!(err instanceof MedsrError)) throw new Error(`case ${cases} (${seed.name}, seed ${SEED}) threw a raw ${String(err)}`);
      if (err.kind === 'internal') throw new Error(`case ${cases} (${seed.name}, seed ${SEED}) hit an internal error: ${err.code}: ${err.message}`);
      expect(err.details.file).toBe(`${seed.name}#${cases}`);
      outcome = err.code;
    }
    const ms = Date.now() - t0;
    if (ms > slowest.ms) slowest = { ms, name: `${seed.name}#${cases}` };
    if (ms >= PER_CASE_LIMIT_MS) hung.push(`${seed.name}#${cases} (seed ${SEED}): ${ms} ms`);
    if (process.env.MEDSR_FUZZ_DUMP && ms > 1000) fs.writeFileSync(`${process.env.MEDSR_FUZZ_DUMP}/slow-${cases}.dcm`, bytes);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  // the mutations reach both outcomes: some files still read, and several distinct refusals
  expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
  expect(outcomes.size).toBeGreaterThan(3);
  // no single file took long: a decoder that loops on bad input would show here (named on failure)
  expect(hung).toEqual([]);
  process.stderr.write(`fuzz: ${CASES} cases in ${Date.now() - started} ms, slowest ${slowest.ms} ms; ${JSON.stringify(Object.fromEntries(outcomes))}\n`);
}, 120_000);

it('reads mutated zip archives without throwing, crashing or hanging', async () => {
  const tmp = makeTempDir();
  const source = path.join(tmp, 'source.zip');
  writeZip(source, ['MR_small.dcm', 'MR_small_RLE.dcm', 'CT_small.dcm'].map((name) => ({ name: `DICOM/${name}`, data: fs.readFileSync(pydicom(name)) })));
  const original = new Uint8Array(fs.readFileSync(source));
  const rng = new SeededRng(SEED + 1);
  const codes = new Map<string, number>();
  for (let cases = 0; cases < ZIP_CASES; cases++) {
    const file = path.join(tmp, `m${cases}.zip`);
    // mutate the end (the central directory) as often as the start: mutate the reversed bytes
    const fromEnd = rng.nextFloat() < 0.5;
    const mutated = mutate(fromEnd ? original.slice().reverse() : original, rng);
    fs.writeFileSync(file, fromEnd ? mutated.reverse() : mutated);
    for await (const result of readInputs([file])) {
      const code = result.ok ? 'ok' : result.error.code;
      if (!result.ok) expect(result.error.kind).not.toBe('internal');
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    fs.rmSync(file);
  }
  expect(codes.get('ok') ?? 0).toBeGreaterThan(0);
  process.stderr.write(`zip fuzz: ${ZIP_CASES} archives; ${JSON.stringify(Object.fromEntries(codes))}\n`);
}, 120_000);

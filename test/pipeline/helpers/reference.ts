import fs from 'node:fs';
import path from 'node:path';

export const TINY_MODEL_DIR = path.join(__dirname, '..', 'fixtures', 'tiny-model');

export interface RefTensor {
  shape: number[];
  type: 'float32' | 'int64';
  data: Float32Array | BigInt64Array;
}

export interface Reference {
  name: string;
  graph: string;
  inputs: Record<string, RefTensor>;
  outputs: Record<string, RefTensor>;
  /** The pipeline reference's named intermediate tensors (training/export.py format). */
  tensors: Record<string, RefTensor>;
  raw: Record<string, unknown>;
}

function readTensor(dir: string, spec: { shape: number[]; file: string; type?: string }): RefTensor {
  const buf = fs.readFileSync(path.join(dir, spec.file));
  const int64 = spec.type === 'int64' || spec.file.endsWith('.i64');
  const copy = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return { shape: spec.shape, type: int64 ? 'int64' : 'float32', data: int64 ? new BigInt64Array(copy) : new Float32Array(copy) };
}

/** Every `<name>.json` reference in a model's reference/ directory (contract layout). */
export function loadReferences(modelDir: string): Reference[] {
  const dir = path.join(modelDir, 'reference');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const raw = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>;
      const load = (group: unknown): Record<string, RefTensor> =>
        Object.fromEntries(Object.entries((group ?? {}) as Record<string, { shape: number[]; file: string; type?: string }>).map(([k, v]) => [k, readTensor(dir, v)]));
      return { name: f.replace(/\.json$/, ''), graph: String(raw.graph), inputs: load(raw.inputs), outputs: load(raw.outputs), tensors: load(raw.tensors), raw };
    });
}

export function reference(modelDir: string, name: string): Reference {
  const r = loadReferences(modelDir).find((x) => x.name === name);
  if (!r) throw new Error(`no reference ${name} in ${modelDir}`);
  return r;
}

export function f32(t: RefTensor | undefined): Float32Array {
  if (!t || !(t.data instanceof Float32Array)) throw new Error('expected a float32 reference tensor');
  return t.data;
}

/** max |a - b| / max(max |b|, tiny): the parity measure (1e-4 is the contract's bar). */
export function maxRelativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}

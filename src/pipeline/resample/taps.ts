/**
 * Separable linear resampling: each output index along an axis is a weighted sum of input
 * indices ("taps"). Bicubic, antialiased bicubic, Lanczos, blur and block averaging are all this
 * shape, so one apply (and its transpose, which data consistency needs) serves them all.
 */
export interface AxisTaps {
  readonly inSize: number;
  readonly outSize: number;
  /** For output i: input indices and their weights. */
  readonly index: Int32Array[];
  readonly weight: Float64Array[];
}

export function makeTaps(inSize: number, outSize: number, perOutput: (i: number) => Array<[number, number]>): AxisTaps {
  const index: Int32Array[] = [];
  const weight: Float64Array[] = [];
  for (let i = 0; i < outSize; i++) {
    const pairs = perOutput(i);
    index.push(Int32Array.from(pairs.map((p) => p[0])));
    weight.push(Float64Array.from(pairs.map((p) => p[1])));
  }
  return { inSize, outSize, index, weight };
}

/** Taps with repeated indices (a mirrored border, a blend) summed. */
export function summedPairs(pairs: Array<[number, number]>): Array<[number, number]> {
  const acc = new Map<number, number>();
  for (const [j, w] of pairs) acc.set(j, (acc.get(j) ?? 0) + w);
  return [...acc.entries()];
}

/** sum_k w_k taps_k: filters between the same grids, blended by weight. */
export function mixedTaps(parts: ReadonlyArray<readonly [AxisTaps, number]>): AxisTaps {
  const first = parts[0]![0];
  return makeTaps(first.inSize, first.outSize, (i) => summedPairs(parts.flatMap(([taps, w]) =>
    [...taps.index[i]!].map((j, k): [number, number] => [j, w * taps.weight[i]![k]!]))));
}

/** second(first(x)) as one set of taps. */
export function composeTaps(first: AxisTaps, second: AxisTaps): AxisTaps {
  return makeTaps(first.inSize, second.outSize, (i) => {
    const pairs: Array<[number, number]> = [];
    const idx = second.index[i]!;
    const w = second.weight[i]!;
    for (let k = 0; k < idx.length; k++) {
      const idx2 = first.index[idx[k]!]!;
      const w2 = first.weight[idx[k]!]!;
      for (let m = 0; m < idx2.length; m++) pairs.push([idx2[m]!, w[k]! * w2[m]!]);
    }
    return summedPairs(pairs);
  });
}

/** A separable operator: rows (width axis) then columns (height axis). */
export class SeparableOperator {
  constructor(readonly rows: AxisTaps, readonly cols: AxisTaps) {}

  get inShape(): [number, number] {
    return [this.cols.inSize, this.rows.inSize];
  }

  get outShape(): [number, number] {
    return [this.cols.outSize, this.rows.outSize];
  }

  apply(src: ArrayLike<number>): Float64Array {
    const [inH, inW] = this.inShape;
    const [outH, outW] = this.outShape;
    const tmp = new Float64Array(inH * outW);
    for (let y = 0; y < inH; y++) {
      const o = y * inW;
      for (let x = 0; x < outW; x++) {
        const idx = this.rows.index[x]!;
        const w = this.rows.weight[x]!;
        let s = 0;
        for (let k = 0; k < idx.length; k++) s += w[k]! * src[o + idx[k]!]!;
        tmp[y * outW + x] = s;
      }
    }
    const out = new Float64Array(outH * outW);
    for (let y = 0; y < outH; y++) {
      const idx = this.cols.index[y]!;
      const w = this.cols.weight[y]!;
      const o = y * outW;
      for (let k = 0; k < idx.length; k++) {
        const row = idx[k]! * outW;
        const wk = w[k]!;
        for (let x = 0; x < outW; x++) out[o + x] = out[o + x]! + wk * tmp[row + x]!;
      }
    }
    return out;
  }

  /** The adjoint: scatters each output back onto the inputs it was made from. */
  applyTranspose(src: ArrayLike<number>): Float64Array {
    const [inH, inW] = this.inShape;
    const [outH, outW] = this.outShape;
    const tmp = new Float64Array(inH * outW);
    for (let y = 0; y < outH; y++) {
      const idx = this.cols.index[y]!;
      const w = this.cols.weight[y]!;
      for (let k = 0; k < idx.length; k++) {
        const row = idx[k]! * outW;
        const wk = w[k]!;
        for (let x = 0; x < outW; x++) tmp[row + x] = tmp[row + x]! + wk * src[y * outW + x]!;
      }
    }
    const out = new Float64Array(inH * inW);
    for (let y = 0; y < inH; y++) {
      for (let x = 0; x < outW; x++) {
        const idx = this.rows.index[x]!;
        const w = this.rows.weight[x]!;
        const v = tmp[y * outW + x]!;
        for (let k = 0; k < idx.length; k++) out[y * inW + idx[k]!] = out[y * inW + idx[k]!]! + w[k]! * v;
      }
    }
    return out;
  }
}

/**
 * PIL/PyTorch-antialias style taps: the filter is stretched by the downscale factor so it
 * low-passes before decimating; the window is cut at the borders and renormalised.
 */
export function stretchedFilterTaps(inSize: number, outSize: number, filter: (x: number) => number, radius: number): AxisTaps {
  const scale = inSize / outSize;
  const stretch = Math.max(scale, 1);
  const support = radius * stretch;
  return makeTaps(inSize, outSize, (i) => {
    const center = scale * (i + 0.5);
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const pairs: Array<[number, number]> = [];
    let total = 0;
    for (let j = lo; j < hi; j++) {
      const w = filter((j - center + 0.5) / stretch);
      pairs.push([j, w]);
      total += w;
    }
    return pairs.map(([j, w]) => [j, total !== 0 ? w / total : 0]);
  });
}

// One slice projects onto its operator several times (after the diffusion, after each refiner pass, its residual), and
// a series' slices share a size: the last few operators and taps built are kept (and with an operator's taps, its
// projection's factors: consistency/linear-projection.ts).
const RECENT = 16;
const recent = new Map<string, unknown>();

/** What `key` names (an operator, taps), built once while it stays among the last few asked for. */
export function recentlyBuilt<T>(key: string, build: () => T): T {
  if (recent.has(key)) return recent.get(key) as T;
  const made = build();
  if (recent.size >= RECENT) recent.delete(recent.keys().next().value!);
  recent.set(key, made);
  return made;
}

/**
 * Complex FFT of any length: iterative radix-2 for powers of two, Bluestein's chirp-z for the
 * rest (so odd image sizes get an exact DFT, not a zero-padded approximation). Float64 on purpose:
 * data consistency must reproduce the input to ~1e-7, which float32 transforms cannot promise.
 */
export interface FftPlan {
  readonly n: number;
  /** In-place forward transform (sign -1, no scaling). */
  forward(re: Float64Array, im: Float64Array): void;
  /** In-place inverse transform (sign +1, scaled by 1/n). */
  inverse(re: Float64Array, im: Float64Array): void;
  /**
   * The same transform down columns 0..lastColumn of an n x width row-major image, in place, where the plan can do
   * them all at once (power-of-two n: each butterfly runs along the rows, contiguous in memory); undefined otherwise.
   */
  columns?(re: Float64Array, im: Float64Array, width: number, lastColumn: number, inverse: boolean): void;
}

const plans = new Map<number, FftPlan>();

export function fftPlan(n: number): FftPlan {
  let plan = plans.get(n);
  if (!plan) {
    plan = isPowerOfTwo(n) ? radix2Plan(n) : bluesteinPlan(n);
    plans.set(n, plan);
  }
  return plan;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/**
 * Iterative radix-2. The twiddles of each stage are stored contiguously (stage with half-length `half` at offset
 * half - 1: exp(-i pi k / half), k < half), one table per direction, so the inner loop reads them in order and
 * multiplies by no sign; the first stage (twiddle 1) has no multiplications at all.
 */
function radix2Plan(n: number): FftPlan {
  const twr = new Float64Array(Math.max(1, n - 1));
  const twiForward = new Float64Array(Math.max(1, n - 1));
  const twiInverse = new Float64Array(Math.max(1, n - 1));
  for (let half = 1; half < n; half *= 2) {
    for (let k = 0; k < half; k++) {
      twr[half - 1 + k] = Math.cos((Math.PI * k) / half);
      twiForward[half - 1 + k] = -Math.sin((Math.PI * k) / half);
      twiInverse[half - 1 + k] = Math.sin((Math.PI * k) / half);
    }
  }
  const rev = new Uint32Array(n);
  const bits = Math.round(Math.log2(n));
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r;
  }
  const transform = (re: Float64Array, im: Float64Array, twi: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (j > i) {
        const tr = re[i]!; re[i] = re[j]!; re[j] = tr;
        const ti = im[i]!; im[i] = im[j]!; im[j] = ti;
      }
    }
    for (let a = 0; a + 1 < n; a += 2) {
      const br = re[a + 1]!;
      const bi = im[a + 1]!;
      re[a + 1] = re[a]! - br; im[a + 1] = im[a]! - bi;
      re[a] = re[a]! + br; im[a] = im[a]! + bi;
    }
    for (let half = 2; half < n; half *= 2) {
      const size = 2 * half;
      for (let start = 0; start < n; start += size) {
        for (let k = 0, t = half - 1; k < half; k++, t++) {
          const wr = twr[t]!;
          const wi = twi[t]!;
          const a = start + k;
          const b = a + half;
          const rb = re[b]!;
          const ib = im[b]!;
          const xr = rb * wr - ib * wi;
          const xi = rb * wi + ib * wr;
          const ra = re[a]!;
          const ia = im[a]!;
          re[b] = ra - xr; im[b] = ia - xi;
          re[a] = ra + xr; im[a] = ia + xi;
        }
      }
    }
  };
  // the same butterflies with every element replaced by a row segment [0, count) of the image
  const columns = (re: Float64Array, im: Float64Array, width: number, lastColumn: number, inverse: boolean): void => {
    const count = lastColumn + 1;
    const twi = inverse ? twiInverse : twiForward;
    const tmp = new Float64Array(count);
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (j > i) {
        for (const arr of [re, im]) {
          tmp.set(arr.subarray(i * width, i * width + count));
          arr.copyWithin(i * width, j * width, j * width + count);
          arr.set(tmp, j * width);
        }
      }
    }
    for (let half = 1; half < n; half *= 2) {
      const size = 2 * half;
      for (let start = 0; start < n; start += size) {
        for (let k = 0, t = half - 1; k < half; k++, t++) {
          const wr = twr[t]!;
          const wi = twi[t]!;
          const a = (start + k) * width;
          const b = a + half * width;
          for (let x = 0; x < count; x++) {
            const rb = re[b + x]!;
            const ib = im[b + x]!;
            const xr = rb * wr - ib * wi;
            const xi = rb * wi + ib * wr;
            const ra = re[a + x]!;
            const ia = im[a + x]!;
            re[b + x] = ra - xr; im[b + x] = ia - xi;
            re[a + x] = ra + xr; im[a + x] = ia + xi;
          }
        }
      }
    }
    if (inverse) {
      for (let y = 0; y < n; y++) {
        for (let x = y * width, end = x + count; x < end; x++) { re[x] = re[x]! / n; im[x] = im[x]! / n; }
      }
    }
  };
  return {
    n,
    forward: (re, im) => transform(re, im, twiForward),
    inverse: (re, im) => {
      transform(re, im, twiInverse);
      for (let i = 0; i < n; i++) { re[i] = re[i]! / n; im[i] = im[i]! / n; }
    },
    columns,
  };
}

/** X_k = conj(w_k) * sum_j (x_j conj(w_j)) w_{k-j}, w_j = exp(i pi j^2 / n): a convolution done by a power-of-two FFT. */
function bluesteinPlan(n: number): FftPlan {
  let m = 1;
  while (m < 2 * n - 1) m *= 2;
  const inner = radix2Plan(m);
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // j^2 mod 2n keeps the angle small and exact for large n
    const angle = (Math.PI * ((j * j) % (2 * n))) / n;
    wr[j] = Math.cos(angle);
    wi[j] = Math.sin(angle);
  }
  // FFT of the chirp filter b_j = w_j (wrapped for negative j), computed once
  const br = new Float64Array(m);
  const bi = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    br[j] = wr[j]!; bi[j] = wi[j]!;
    if (j > 0) { br[m - j] = wr[j]!; bi[m - j] = wi[j]!; }
  }
  inner.forward(br, bi);
  const ar = new Float64Array(m);
  const ai = new Float64Array(m);
  const forward = (re: Float64Array, im: Float64Array): void => {
    ar.fill(0); ai.fill(0);
    for (let j = 0; j < n; j++) {
      // a_j = x_j * conj(w_j)
      ar[j] = re[j]! * wr[j]! + im[j]! * wi[j]!;
      ai[j] = im[j]! * wr[j]! - re[j]! * wi[j]!;
    }
    inner.forward(ar, ai);
    for (let k = 0; k < m; k++) {
      const r = ar[k]! * br[k]! - ai[k]! * bi[k]!;
      ai[k] = ar[k]! * bi[k]! + ai[k]! * br[k]!;
      ar[k] = r;
    }
    inner.inverse(ar, ai);
    for (let k = 0; k < n; k++) {
      re[k] = ar[k]! * wr[k]! + ai[k]! * wi[k]!;
      im[k] = ai[k]! * wr[k]! - ar[k]! * wi[k]!;
    }
  };
  return {
    n,
    forward,
    inverse: (re, im) => {
      // inverse DFT = conj(forward(conj(x))) / n
      for (let i = 0; i < n; i++) im[i] = -im[i]!;
      forward(re, im);
      for (let i = 0; i < n; i++) { re[i] = re[i]! / n; im[i] = -im[i]! / n; }
    },
  };
}

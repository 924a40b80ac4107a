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

function radix2Plan(n: number): FftPlan {
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let i = 0; i < n / 2; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / n);
    sin[i] = Math.sin((2 * Math.PI * i) / n);
  }
  const rev = new Uint32Array(n);
  const bits = Math.round(Math.log2(n));
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r;
  }
  const transform = (re: Float64Array, im: Float64Array, sign: number): void => {
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (j > i) {
        const tr = re[i]!; re[i] = re[j]!; re[j] = tr;
        const ti = im[i]!; im[i] = im[j]!; im[j] = ti;
      }
    }
    for (let size = 2; size <= n; size *= 2) {
      const half = size / 2;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const wr = cos[k * step]!;
          const wi = sign * sin[k * step]!;
          const a = start + k;
          const b = a + half;
          const xr = re[b]! * wr - im[b]! * wi;
          const xi = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - xr; im[b] = im[a]! - xi;
          re[a] = re[a]! + xr; im[a] = im[a]! + xi;
        }
      }
    }
  };
  return {
    n,
    forward: (re, im) => transform(re, im, -1),
    inverse: (re, im) => {
      transform(re, im, 1);
      for (let i = 0; i < n; i++) { re[i] = re[i]! / n; im[i] = im[i]! / n; }
    },
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

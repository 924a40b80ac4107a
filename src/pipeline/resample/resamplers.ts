import type { ResamplerName } from '../../shared/upscale-options';
import { bicubicDownTaps } from './bicubic';
import { gaussianSplineDownTaps } from './gaussian-spline';
import { lanczos3 } from './lanczos';
import { mixedTaps, recentlyBuilt, SeparableOperator, stretchedFilterTaps, type AxisTaps } from './taps';

/** The downsamplers a resampled input may have been made by (shared/upscale-options RESAMPLERS, less `auto`). */
export type KnownResampler = Exclude<ResamplerName, 'auto'>;

/**
 * Weights over the known downsamplers, summing to 1: the resampled path projects onto their blend on each axis. A told
 * downsampler is weight 1; the resampler detector's share p (training/resampler_detector.py, model 2.10) is
 * {bicubic: 1 - p, gaussian-spline: p}.
 */
export type ResamplerMix = Readonly<Partial<Record<KnownResampler, number>>>;

/** The model's own operator: the contract's antialiased bicubic. */
export const CONTRACT_RESAMPLER: ResamplerMix = { bicubic: 1 };

/** The mix for the resampler detector's P(scikit-image's Gaussian + spline). */
export function gaussianShareMix(share: number): ResamplerMix {
  return { bicubic: 1 - share, 'gaussian-spline': share };
}

const LABELS: Record<KnownResampler, string> = { bicubic: 'bicubic', 'gaussian-spline': 'Gaussian-spline', lanczos: 'Lanczos', bilinear: 'bilinear' };

/** "0.64 bicubic + 0.36 Gaussian-spline", or "Lanczos" for one downsampler: what DerivationDescription says. */
export function describeResamplerMix(mix: ResamplerMix): string {
  const parts = weighted(mix);
  return parts.length === 1 ? LABELS[parts[0]![0]] : parts.map(([r, w]) => `${w.toFixed(2)} ${LABELS[r]}`).join(' + ');
}

/**
 * The operator the resampled path projects onto (training/degrade.py `resampled_down` for the detector's blend): on
 * each axis, the taps of the mix's downsamplers summed by weight. Blended per axis, it stays separable, so its
 * projection is exact and cheap (consistency/linear-projection.ts).
 */
export function resampledOperator(mix: ResamplerMix, height: number, width: number, s: number): SeparableOperator {
  const key = weighted(mix).map(([r, w]) => `${r}=${w}`).join(',');
  return recentlyBuilt(`resampled:${key}:${height}:${width}:${s}`,
    () => new SeparableOperator(resampledTaps(mix, width, s), resampledTaps(mix, height, s)));
}

function weighted(mix: ResamplerMix): Array<[KnownResampler, number]> {
  const parts = (Object.entries(mix) as Array<[KnownResampler, number]>).filter(([, w]) => w > 0);
  return parts.length ? parts : [['bicubic', 1]];
}

function resampledTaps(mix: ResamplerMix, n: number, s: number): AxisTaps {
  const parts = weighted(mix).map(([r, w]): [AxisTaps, number] => [downTaps(r, n, s), w]);
  return parts.length === 1 ? parts[0]![0] : mixedTaps(parts);
}

/** One downsampler's taps for an axis of n samples at 1/s (every slice of a series asks again: kept). */
function downTaps(resampler: KnownResampler, n: number, s: number): AxisTaps {
  return recentlyBuilt(`${resampler}:${n}:${s}`, () => {
    switch (resampler) {
      case 'bicubic':
        return bicubicDownTaps(n, s);
      case 'gaussian-spline':
        return gaussianSplineDownTaps(n, s);
      case 'lanczos':
        // PIL's LANCZOS (antialiased when shrinking: the window stretched by s)
        return stretchedFilterTaps(n, Math.floor(n / s), lanczos3, 3);
      case 'bilinear':
        // PIL's BILINEAR, PyTorch's bilinear with antialias=True: the triangle stretched by s
        return stretchedFilterTaps(n, Math.floor(n / s), (x) => Math.max(0, 1 - Math.abs(x)), 1);
    }
  });
}

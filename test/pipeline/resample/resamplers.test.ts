import fs from 'node:fs';
import path from 'node:path';
import { applyConsistency } from '../../../src/pipeline/consistency';
import { degrade } from '../../../src/pipeline/degrade';
import { relativeError, type Plane } from '../../../src/pipeline/plane';
import { bicubicUpsample } from '../../../src/pipeline/resample/bicubic';
import { describeResamplerMix, gaussianShareMix, resampledOperator, type KnownResampler } from '../../../src/pipeline/resample/resamplers';
import { SeededRng } from '../../../src/shared/rng';

interface Fixture { height: number; width: number; image: number[]; cases: Array<{ resampler: KnownResampler; scale: number; height: number; width: number; data: number[] }> }
// made by test/pipeline/fixtures/make-resampler-fixture.py: PIL's LANCZOS and PyTorch's antialiased bilinear
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/resamplers.json'), 'utf8')) as Fixture;

describe('the downsamplers a caller can name (--resampler)', () => {
  it.each(fixture.cases.map((c) => [c.resampler, c.scale, c] as const))("%s x%d makes what the recipe's maker (PIL / PyTorch) makes", (resampler, scale, c) => {
    const op = resampledOperator({ [resampler]: 1 }, fixture.height, fixture.width, scale);
    expect(op.outShape).toEqual([c.height, c.width]);
    const ours = op.apply(Float32Array.from(fixture.image));
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - c.data[i]!));
    expect(worst).toBeLessThan(2e-6);
  });

  it('names the mix it projects onto, as DerivationDescription says it', () => {
    expect(describeResamplerMix({ lanczos: 1 })).toBe('Lanczos');
    expect(describeResamplerMix(gaussianShareMix(0.36))).toBe('0.64 bicubic + 0.36 Gaussian-spline');
    expect(describeResamplerMix({})).toBe('bicubic');
  });

  it.each(['lanczos', 'bilinear'] as const)('projects an input %s made onto its own operator exactly, and closer to the truth than onto the contract', (resampler) => {
    const rng = new SeededRng(21);
    const hr: Plane = { height: 48, width: 40, data: Float32Array.from({ length: 48 * 40 }, (_, i) => Math.sin(i / 7) + 0.3 * rng.nextGaussian()) };
    const lr = degrade(hr, 2, 'bicubic', { resampler: { [resampler]: 1 } });
    const guess = bicubicUpsample(lr, 2);
    const own = applyConsistency(guess, lr, 2, 'bicubic', { blurSigma: 0.5, resampler: { [resampler]: 1 } });
    expect(own.residual).toBeLessThan(1e-6);
    const contract = applyConsistency(guess, lr, 2, 'bicubic', { blurSigma: 0.5 });
    expect(relativeError(own.image.data, hr.data)).toBeLessThan(relativeError(contract.image.data, hr.data));
  });
});

/**
 * The real upscale use case (decode, transform chain, write-back with dcmjs) around a resolver
 * that replicates pixels instead of running the model: every step a hostile file can reach runs
 * for real, and one slice costs milliseconds, so fuzz tests can post thousands of them.
 */
import type { SliceProcessor } from '../../../src/service/ports';
import { upscaleInstance, type ResolverLike } from '../../../src/service/upscale-instance';
import { heightOf, imageTensor, widthOf, type Tensor } from '../../../src/shared/tensor';

function replicate(input: Tensor, scale: number): Tensor {
  const h = heightOf(input);
  const w = widthOf(input);
  const out = imageTensor(h * scale, w * scale);
  for (let y = 0; y < h * scale; y++) {
    for (let x = 0; x < w * scale; x++) out.data[y * w * scale + x] = input.data[Math.floor(y / scale) * w + Math.floor(x / scale)]!;
  }
  return out;
}

export const nearestResolver: ResolverLike = {
  provider: 'cpu',
  manifest: { id: 'nearest-test-resolver', version: '0', preprocessing: {} } as ResolverLike['manifest'],
  async upscale(input, options) {
    const samples = options.samples ?? 1;
    const mean = replicate(input, options.scale);
    return {
      mean,
      std: samples > 1 ? imageTensor(heightOf(mean), widthOf(mean)) : undefined,
      dcResidual: 0,
      timings: {},
      settings: { steps: 0, samples, seed: options.seed ?? 0, guidance: 1, scheduler: 'none', initStrength: 0, degradation: 'area', requestedDegradation: 'area', uncertaintyScale: 1 },
    };
  },
};

export function createNearestProcessor(): SliceProcessor {
  return (instance, request) => upscaleInstance(instance, request, { resolver: nearestResolver, softwareVersion: 'medsr test' });
}

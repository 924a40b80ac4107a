import { MedsrError } from '../shared/errors';
import { createTensor } from '../shared/tensor';
import type { DegradationMode } from './manifest';
import type { LoadedModel } from './model';
import type { Plane } from './plane';
import { bicubicUpsample } from './resample/bicubic';
import { conditionInput } from './resample/condition-input';
import { lanczosUpsample } from './resample/lanczos';
import { zeroFillUpsample } from './resample/zero-fill';
import { crop, reflectPad } from './tiling';

export type ClassicalBaseline = 'bicubic' | 'lanczos' | 'zero-fill';

/** The classical baselines every evaluation reports (DESIGN.md): bicubic, Lanczos-3, zero-filled Fourier. */
export function classicalUpsample(lr: Plane, scale: number, kind: ClassicalBaseline): Plane {
  switch (kind) {
    case 'bicubic':
      return bicubicUpsample(lr, scale);
    case 'lanczos':
      return lanczosUpsample(lr, scale);
    case 'zero-fill':
      return zeroFillUpsample(lr, scale);
  }
}

/**
 * The one-step regression baseline: regression(x_up), x_up made as for the diffusion model (see
 * conditionInput), reflect-padded to the manifest's multiple and cropped back.
 */
export async function regressionUpsample(model: LoadedModel, lr: Plane, scale: number, modality: string, mode: DegradationMode): Promise<Plane> {
  const graph = model.graphs.regression;
  const spec = model.manifest.graphs.regression;
  if (!graph || !spec) throw new MedsrError('unsupported', 'model.no_regression', `model ${model.manifest.id} ships no regression graph`);
  const xUp = conditionInput(model.manifest, lr, scale, modality, mode);
  const m = model.manifest.tile.multiple;
  const padded = reflectPad(xUp, Math.ceil(xUp.height / m) * m, Math.ceil(xUp.width / m) * m);
  const inputName = Object.keys(spec.inputs)[0]!;
  const outputName = Object.keys(spec.outputs)[0]!;
  const out = await graph.run({ [inputName]: createTensor([1, 1, padded.height, padded.width], padded.data) });
  const image = out[outputName];
  if (!image) throw new MedsrError('model', 'graph.output', `regression returned no '${outputName}'`);
  return crop({ data: image.data, height: padded.height, width: padded.width }, 0, 0, xUp.height, xUp.width);
}

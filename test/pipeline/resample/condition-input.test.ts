import { loadManifest, type Manifest } from '../../../src/pipeline/manifest';
import { planeOf } from '../../../src/pipeline/plane';
import { bicubicUpsample } from '../../../src/pipeline/resample/bicubic';
import { conditionInput } from '../../../src/pipeline/resample/condition-input';
import { zeroFillUpsample } from '../../../src/pipeline/resample/zero-fill';
import { phantomTensor } from '../helpers/images';
import { variantModelDir } from '../helpers/model-dirs';
import { TINY_MODEL_DIR } from '../helpers/reference';

describe('conditionInput (x_up)', () => {
  const lr = planeOf(phantomTensor(24, 20));
  let zeroFillForKspace: Manifest;
  let bicubicOnly: Manifest;
  beforeAll(async () => {
    bicubicOnly = await loadManifest(TINY_MODEL_DIR);
    zeroFillForKspace = await loadManifest(variantModelDir(TINY_MODEL_DIR, (j) => {
      j.upsampling = { kspace: 'zero_fill', default: 'bicubic' };
    }));
  });

  it('is zero-filled Fourier for k-space data when the model was trained on it', () => {
    const got = conditionInput(zeroFillForKspace, lr, 2, 'MR', 'kspace');
    expect([got.height, got.width]).toEqual([48, 40]);
    expect(got.data).toEqual(zeroFillUpsample(lr, 2).data);
    expect(got.data).not.toEqual(bicubicUpsample(lr, 2).data);
  });

  it('is bicubic for the other degradations and for models that name no upsampling', () => {
    expect(conditionInput(zeroFillForKspace, lr, 4, 'CT', 'area').data).toEqual(bicubicUpsample(lr, 4).data);
    expect(conditionInput(bicubicOnly, lr, 2, 'MR', 'kspace').data).toEqual(bicubicUpsample(lr, 2).data);
  });
});

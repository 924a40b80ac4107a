import { degrade } from '../../src/pipeline/degrade';
import { bicubicUpsample } from '../../src/pipeline/resample/bicubic';
import { lanczosUpsample } from '../../src/pipeline/resample/lanczos';
import { zeroFillUpsample } from '../../src/pipeline/resample/zero-fill';
import type { Plane } from '../../src/pipeline/plane';
import { f32, maxRelativeDiff, reference, TINY_MODEL_DIR } from './helpers/reference';

// The operators against PyTorch running the training recipe's definitions (see make-tiny-model.py).
describe.each(['even', 'odd'])('classical operators on %s sizes match PyTorch', (tag) => {
  const ref = reference(TINY_MODEL_DIR, `operators_${tag}`);
  const plane = (name: string): Plane => {
    const t = ref.inputs[name]!;
    return { data: f32(t), height: t.shape[2]!, width: t.shape[3]! };
  };
  const expectClose = (got: Plane, name: string): void => {
    const want = ref.outputs[name]!;
    expect([got.height, got.width]).toEqual(want.shape.slice(2));
    expect(maxRelativeDiff(got.data, f32(want))).toBeLessThan(1e-5);
  };

  it('bicubic upsampling (a=-0.75, half-pixel, edge clamp) x2 and x4', () => {
    expectClose(bicubicUpsample(plane('lr'), 2), 'bicubic_up2');
    expectClose(bicubicUpsample(plane('lr'), 4), 'bicubic_up4');
  });
  it('Lanczos-3 upsampling (PIL)', () => expectClose(lanczosUpsample(plane('lr'), 2), 'lanczos_up2'));
  it('zero-filled Fourier interpolation', () => expectClose(zeroFillUpsample(plane('lr'), 2), 'zero_fill2'));
  it('k-space truncation x2 and x4', () => {
    expectClose(degrade(plane('hr'), 2, 'kspace'), 'kspace_down2');
    expectClose(degrade(plane('hr4'), 4, 'kspace'), 'kspace_down4');
  });
  it('CT blur + area downsampling', () => expectClose(degrade(plane('hr'), 2, 'area', { blurSigma: 0.5 }), 'area_down2'));
  it('antialiased bicubic downsampling x2 and x4', () => {
    expectClose(degrade(plane('hr'), 2, 'bicubic'), 'bicubic_down2');
    expectClose(degrade(plane('hr4'), 4, 'bicubic'), 'bicubic_down4');
  });
});

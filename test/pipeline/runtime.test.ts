/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import fs from 'node:fs';
import path from 'node:path';
import { MedsrError } from '../../src/shared/errors';
import { openSession } from '../../src/pipeline/runtime/onnx-session';
import { TINY_MODEL_DIR } from './helpers/reference';

const UNET = path.join(TINY_MODEL_DIR, 'unet.onnx');
const hasCuda = !!process.env.CUDA_VISIBLE_DEVICES || fs.existsSync('/dev/nvidia0');

describe('onnx-session (the one onnxruntime seam)', () => {
  it('runs on cpu and reports the provider', async () => {
    const s = await openSession(UNET, { device: 'cpu', intraOpThreads: 1 });
    expect(s.provider).toBe('cpu');
    expect(s.fallbacks).toEqual([]);
    const z = { data: new Float32Array(4 * 8 * 8), shape: [1, 4, 8, 8] };
    const out = await s.run({ sample: z, condition: z, timestep: { data: new Float32Array([10]), shape: [1] }, text_embeds: { data: new Float32Array(16 * 32), shape: [1, 16, 32] } });
    expect(out.model_output!.shape).toEqual([1, 4, 8, 8]);
    await s.release();
  });

  (hasCuda ? it.skip : it)('auto falls back from CUDA to cpu on a machine without CUDA, saying why', async () => {
    const s = await openSession(UNET, { device: 'auto' });
    expect(s.provider).toBe('cpu');
    expect(s.fallbacks.join(' ')).toMatch(/cuda/i);
    await s.release();
  });

  (hasCuda ? it.skip : it)('an explicit cuda device fails loudly instead of silently using the CPU', async () => {
    await expect(openSession(UNET, { device: 'cuda' })).rejects.toBeInstanceOf(MedsrError);
    const err = await openSession(UNET, { device: 'cuda' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'model', code: 'runtime.cuda_unavailable' });
    // says how to get the CUDA provider and where the docs are
    expect((err as Error).message).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
    expect((err as Error).message).toContain('README.md#scaling-out-and-gpus');
  });
});

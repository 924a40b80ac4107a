import { MedsrError } from '../shared/errors';
import type { SeededRng } from '../shared/rng';
import { createTensor, type Tensor } from '../shared/tensor';
import type { LoadedModel } from './model';
import type { Plane } from './plane';
import { createScheduler } from './schedulers';
import type { StageTimer } from './timings';

/** What one sampling run needs besides the image: all defaults come from the manifest. */
export interface SamplingSettings {
  scheduler: string;
  steps: number;
  guidance: number;
  initStrength: number;
}

/**
 * The latent-diffusion SR method, one image (tile) at a time: encode prompt, encode condition,
 * init latents by noising the condition to t_start, denoise, decode. Reads like the contract.
 */
export class SrPipeline {
  constructor(private readonly model: LoadedModel, private readonly timer: StageTimer) {}

  private get latent() {
    return this.model.manifest.latent;
  }

  /**
   * [B, L, D] text embeddings: [cond] when guidance is 1, else [uncond, cond] for one batched U-Net
   * call. The unconditional text keeps the task words (scale, degradation): guidance is over the prompt only.
   */
  async encodePrompt(text: { conditional: string; unconditional: string }, guidance: number): Promise<Tensor> {
    const prompts = guidance === 1 ? [text.conditional] : [text.unconditional, text.conditional];
    const ids = this.model.tokenizer.encodeBatch(prompts);
    const out = await this.timer.time('text_encoder', () => this.model.graphs.text_encoder.run({ input_ids: ids }));
    return output(out, 'text_embeds');
  }

  /** condition = scale_factor * vae_encoder(x_up). */
  async encodeCondition(xUp: Plane): Promise<Tensor> {
    const image = createTensor([1, 1, xUp.height, xUp.width], xUp.data);
    const out = await this.timer.time('vae_encoder', () => this.model.graphs.vae_encoder.run({ image }));
    const latent = output(out, 'latent');
    const scaled = latent.data.map((v) => v * this.latent.scale_factor);
    return createTensor(latent.shape, scaled);
  }

  /** The sampling loop from z_T = sqrt(abar) condition + sqrt(1 - abar) noise; returns scaled latents z_0. */
  async denoise(condition: Tensor, textEmbeds: Tensor, noise: Float32Array, settings: SamplingSettings, rng: SeededRng, onStep?: (z: Float32Array, index: number) => void): Promise<Tensor> {
    const scheduler = createScheduler(this.model.manifest.scheduler, settings.scheduler);
    scheduler.setTimesteps(settings.steps, { initStrength: settings.initStrength });
    const batch = textEmbeds.shape[0] ?? 1;
    let z = scheduler.addNoise(condition.data, noise, scheduler.timesteps[0]!);
    for (const [index, t] of scheduler.timesteps.entries()) {
      const input = scheduler.scaleModelInput(z, t);
      const out = await this.timer.time('unet', () =>
        this.model.graphs.unet.run({
          sample: createTensor([batch, ...condition.shape.slice(1)], repeat(input, batch)),
          condition: createTensor([batch, ...condition.shape.slice(1)], repeat(condition.data, batch)),
          timestep: createTensor([batch], new Float32Array(batch).fill(t)),
          text_embeds: textEmbeds,
        }),
      );
      this.timer.count('unet_calls');
      const guided = guide(output(out, 'model_output').data, batch, settings.guidance);
      z = scheduler.step(guided, t, z, rng);
      onStep?.(z, index);
    }
    return createTensor(condition.shape, z);
  }

  /** image = vae_decoder(z / scale_factor). */
  async decode(z: Tensor): Promise<Plane> {
    const latent = createTensor(z.shape, z.data.map((v) => v / this.latent.scale_factor));
    const out = await this.timer.time('vae_decoder', () => this.model.graphs.vae_decoder.run({ latent }));
    const image = output(out, 'image');
    return { data: image.data, height: image.shape[2] ?? 0, width: image.shape[3] ?? 0 };
  }
}

function output(results: Record<string, Tensor>, name: string): Tensor {
  const t = results[name];
  if (!t) throw new MedsrError('model', 'graph.output', `graph returned no '${name}'`);
  return t;
}

function repeat(data: Float32Array, times: number): Float32Array {
  if (times === 1) return data;
  const out = new Float32Array(data.length * times);
  for (let i = 0; i < times; i++) out.set(data, i * data.length);
  return out;
}

/** Classifier-free guidance over a [uncond, cond] batch: uncond + g (cond - uncond). */
function guide(out: Float32Array, batch: number, guidance: number): Float32Array {
  if (batch === 1) return out;
  const n = out.length / 2;
  const result = new Float32Array(n);
  for (let i = 0; i < n; i++) result[i] = out[i]! + guidance * (out[n + i]! - out[i]!);
  return result;
}

import { loadGraphs, releaseGraphs, type ModelGraphs } from './graphs';
import { loadManifest, type Manifest } from './manifest';
import type { RuntimeOptions } from './runtime/onnx-session';
import { loadTokenizer, type WordTokenizer } from './tokenizer';

/** Everything one worker holds for a model: manifest, tokenizer and one session per graph. */
export interface LoadedModel {
  manifest: Manifest;
  tokenizer: WordTokenizer;
  graphs: ModelGraphs;
  provider: string;
  /** Why each provider tried before `provider` failed (device auto without CUDA: the CUDA error); see logFallback. */
  fallbacks: readonly string[];
}

export async function loadModel(modelDir: string, runtime: RuntimeOptions): Promise<LoadedModel> {
  const manifest = await loadManifest(modelDir);
  const tokenizer = await loadTokenizer(manifest.dir, manifest.tokenizer.file);
  const graphs = await loadGraphs(manifest, runtime);
  // the first graph opened settles the provider; only it can have fallen back
  const fallbacks = Object.values(graphs).flatMap((s: ModelGraphs[keyof ModelGraphs]) => s?.fallbacks ?? []);
  return { manifest, tokenizer, graphs, provider: graphs.unet.provider, fallbacks };
}

export async function disposeModel(model: LoadedModel): Promise<void> {
  await releaseGraphs(model.graphs);
}

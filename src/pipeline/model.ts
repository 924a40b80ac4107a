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
}

export async function loadModel(modelDir: string, runtime: RuntimeOptions): Promise<LoadedModel> {
  const manifest = await loadManifest(modelDir);
  const tokenizer = await loadTokenizer(manifest.dir, manifest.tokenizer.file);
  const graphs = await loadGraphs(manifest, runtime);
  return { manifest, tokenizer, graphs, provider: graphs.unet.provider };
}

export async function disposeModel(model: LoadedModel): Promise<void> {
  await releaseGraphs(model.graphs);
}

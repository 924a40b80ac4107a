import fs from 'node:fs';
import path from 'node:path';
import { MedsrError } from '../shared/errors';
import { logger } from '../shared/logger';
import { CONTRACT_IO, type Manifest, type PipelineGraph } from './manifest';
import { openSession, type Device, type GraphSession, type RuntimeOptions } from './runtime/onnx-session';

export type ModelGraphs = Record<PipelineGraph, GraphSession> & { regression?: GraphSession; detector?: GraphSession; ct_detector?: GraphSession; resampler_detector?: GraphSession; refiner?: GraphSession; ct_refiner?: GraphSession };

/** Fails unless the session's input and output names are exactly the manifest's. */
export function checkSessionNames(graph: string, session: Pick<GraphSession, 'inputNames' | 'outputNames'>, manifest: Manifest): void {
  const spec = manifest.graphs[graph as PipelineGraph];
  if (!spec) throw new MedsrError('model', 'manifest.graph_missing', `model_index.json has no graph '${graph}'`);
  const problems: string[] = [];
  for (const side of ['inputs', 'outputs'] as const) {
    const actual = side === 'inputs' ? session.inputNames : session.outputNames;
    const declared = Object.keys(spec[side]);
    const missing = declared.filter((n) => !actual.includes(n));
    const extra = actual.filter((n) => !declared.includes(n));
    if (missing.length) problems.push(`${side} declared in model_index.json but not in the graph: ${missing.join(', ')}`);
    if (extra.length) problems.push(`${side} in the graph but not in model_index.json: ${extra.join(', ')}`);
  }
  if (problems.length) {
    throw new MedsrError('model', 'graph.names', `${spec.file} (${graph}) does not match model_index.json: ${problems.join('; ')}`, { file: path.join(manifest.dir, spec.file), problems });
  }
}

/** Opens every graph the pipeline runs (plus regression, the degradation detectors and the refiners when shipped), checked against the manifest. */
export async function loadGraphs(manifest: Manifest, options: RuntimeOptions): Promise<ModelGraphs> {
  const opened: Array<[string, GraphSession]> = [];
  try {
    const optional = (['regression', 'detector', 'ct_detector', 'resampler_detector', 'refiner', 'ct_refiner'] as const).filter((name) => manifest.graphs[name]);
    const names = [...Object.keys(CONTRACT_IO), ...optional];
    // the first graph settles the provider (auto: CUDA, else CPU); the others use it directly
    let runtime = options;
    for (const name of names) {
      const spec = manifest.graphs[name as PipelineGraph];
      const file = path.join(manifest.dir, spec.file);
      if (!fs.existsSync(file)) throw new MedsrError('model', 'graph.missing', `graph file ${file} (${name}) does not exist`, { file });
      // a truncated copy or a Git LFS pointer would otherwise fail inside onnxruntime with a vaguer message
      const size = fs.statSync(file).size;
      if (spec.bytes !== undefined && size !== spec.bytes) throw new MedsrError('model', 'graph.size', `graph file ${file} (${name}) has ${size} bytes, model_index.json says ${spec.bytes} (incomplete copy?)`, { file, bytes: size, expected: spec.bytes });
      const session = await openSession(file, runtime);
      opened.push([name, session]);
      checkSessionNames(name, session, manifest);
      if (runtime === options) {
        runtime = { ...options, device: session.provider as Device };
      }
    }
  } catch (err) {
    await Promise.all(opened.map(([, s]) => s.release()));
    throw err;
  }
  const graphs = Object.fromEntries(opened) as ModelGraphs;
  logger().debug({ model: manifest.id, provider: graphs.unet.provider, device: options.device }, 'graphs loaded');
  return graphs;
}

export async function releaseGraphs(graphs: ModelGraphs): Promise<void> {
  await Promise.all(Object.values(graphs).map((s: GraphSession) => s.release()));
}

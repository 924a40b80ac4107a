/**
 * An inference worker thread: one set of onnxruntime sessions, upscales one slice at a time so
 * that session.run() (which blocks) never runs on the server's event loop. Spawned by pool.ts,
 * from dist/ in production and from this TypeScript source under jest (worker-entry.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { logger, setLogLevel } from '../../shared/logger';
import { disposeModel, loadModel, type LoadedModel } from '../model';
import { runUpscale } from '../upscale';
import { toWire, type FromWorker, type ToWorker, type WorkerData } from './protocol';

const port = parentPort;
if (!port) throw new Error('inference-worker must run in a worker thread');

function send(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

/**
 * An AbortSignal for job `id` that turns aborted once the pool writes `id` into the shared cancel
 * word. The pipeline reads `signal.aborted` between steps, and this worker's event loop may not
 * run meanwhile, so the getter polls the shared word instead of waiting for an event.
 */
function cancelSignalFor(cancel: Int32Array, id: number): AbortSignal {
  const controller = new AbortController();
  return new Proxy(controller.signal, {
    get(target, key) {
      if (key === 'aborted' && !target.aborted && Atomics.load(cancel, 0) === id) controller.abort();
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function main(): Promise<void> {
  const init = workerData as WorkerData;
  setLogLevel(init.logLevel);
  let model: LoadedModel;
  try {
    model = await loadModel(init.modelDir, { device: init.device, ...(init.intraOpThreads ? { intraOpThreads: init.intraOpThreads } : {}) });
  } catch (err) {
    send({ type: 'init-error', error: toWire(err) });
    return;
  }
  // one job at a time: the pool never sends a second before the first answers
  port!.on('message', (msg: ToWorker) => {
    if (msg.type === 'dispose') {
      disposeModel(model)
        .catch((err: unknown) => logger().warn({ err }, 'releasing sessions failed'))
        .finally(() => {
          send({ type: 'disposed' });
          port!.close();
        });
      return;
    }
    const { id } = msg;
    const signal = cancelSignalFor(init.cancel, id);
    runUpscale(model, { data: msg.input.data, shape: msg.input.shape }, { ...msg.options, signal, onProgress: (fraction) => send({ type: 'progress', id, fraction }) })
      .then((r) => {
        const mean = { data: r.mean.data, shape: [...r.mean.shape] };
        const std = r.std ? { data: r.std.data, shape: [...r.std.shape] } : undefined;
        const transfer = [mean.data.buffer as ArrayBuffer, ...(std ? [std.data.buffer as ArrayBuffer] : [])];
        send({ type: 'result', id, mean, std, dcResidual: r.dcResidual, timings: r.timings, settings: r.settings }, transfer);
      })
      .catch((err: unknown) => send({ type: 'error', id, error: toWire(err) }));
  });
  send({ type: 'ready', provider: model.provider, fallbacks: model.fallbacks, manifest: model.manifest, entry: __filename });
}

void main();

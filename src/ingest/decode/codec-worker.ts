/**
 * The body of the codec worker thread (see wasm-codec.ts). It is started from this function's
 * source text, so it must stay self-contained: no imports, no outer variables, plain require.
 */
import type { FrameInfo } from './wasm-codec';

export interface WorkerRequest {
  id: number;
  /** Resolved path of the Emscripten factory module. */
  entry: string;
  decoderClass: string;
  encoded: Uint8Array;
  maxDecodedBytes: number;
}

export type WorkerReply =
  | { id: number; ok: true; info: FrameInfo; bytes: Uint8Array; interleaveMode: number | undefined }
  | { id: number; ok: false; code: string; message: string };

// coverage counters inserted here would be undefined in the worker: keep it uninstrumented
/* istanbul ignore next */
export function codecWorkerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
  const { parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
  const modules = new Map<string, Promise<any>>();
  const load = (entry: string): Promise<any> => {
    let pending = modules.get(entry);
    if (!pending) {
      const exported = require(entry);
      const factory = typeof exported === 'function' ? exported : exported.default;
      pending = factory({ print: () => undefined, printErr: () => undefined }) as Promise<any>;
      modules.set(entry, pending);
    }
    return pending;
  };
  parentPort!.on('message', async (request: WorkerRequest) => {
    const { id, entry, decoderClass, encoded, maxDecodedBytes } = request;
    let module: any;
    try {
      module = await load(entry);
      const decoder = new module[decoderClass]();
      try {
        decoder.getEncodedBuffer(encoded.length).set(encoded);
        if (decoder.readHeader) {
          decoder.readHeader();
          const h = decoder.getFrameInfo();
          const claimed = h.width * h.height * h.componentCount * (h.bitsPerSample > 8 ? 2 : 1);
          if (claimed > maxDecodedBytes) {
            parentPort!.postMessage({ id, ok: false, code: 'codec.size_mismatch', message: `codestream claims ${h.width} x ${h.height} x ${h.componentCount}, larger than the DICOM header says` });
            return;
          }
        }
        decoder.decode();
        const info = { ...decoder.getFrameInfo() };
        const bytes: Uint8Array = decoder.getDecodedBuffer().slice();
        const interleaveMode = decoder.getInterleaveMode ? decoder.getInterleaveMode() : undefined;
        parentPort!.postMessage({ id, ok: true, info, bytes, interleaveMode }, [bytes.buffer as ArrayBuffer]);
      } finally {
        try {
          decoder.delete?.();
        } catch {
          modules.delete(entry);
        }
      }
    } catch (err) {
      // a trap leaves the module's memory in an unknown state: load a fresh one next time
      if (err instanceof WebAssembly.RuntimeError) modules.delete(entry);
      let message = err instanceof Error ? err.message : String(err);
      if (typeof err === 'number' && module?.getExceptionMessage) {
        try {
          const m = module.getExceptionMessage(err);
          message = Array.isArray(m) ? m.join(': ') : String(m);
        } catch {
          message = `exception ${err}`;
        }
      }
      parentPort!.postMessage({ id, ok: false, code: 'codec.corrupt', message });
    }
  });
}

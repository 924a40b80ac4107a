import { Worker } from 'node:worker_threads';
import { MedsrError } from '../../shared/errors';
import { codecWorkerMain, type WorkerReply, type WorkerRequest } from './codec-worker';

/**
 * The @cornerstonejs/codec-* packages are Emscripten modules (C decoders compiled to WASM). They
 * run in one worker thread, loaded there on first use and once, because a C decoder fed a
 * hostile codestream can spin for minutes (seen with CharLS) and synchronous WASM cannot be
 * interrupted: a decode that overruns its time is ended by terminating the worker, and the next
 * frame starts a fresh one. It also keeps the event loop of a server free while frames decode.
 */
export interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

export interface CodecHandle {
  /** Package entry point of the Emscripten factory. */
  entry: string;
  /** Embind class of the decoder. */
  decoderClass: string;
  /** Codec name for error messages. */
  name: string;
}

export interface WasmDecodeResult {
  info: FrameInfo;
  bytes: Uint8Array;
  interleaveMode: number | undefined;
}

/** Time a decode may take, by decoded size: generous for real frames, short for a 64 x 64 one that spins. */
export function decodeTimeoutMs(decodedBytes: number): number {
  return 3000 + decodedBytes * 0.005;
}

let worker: Worker | undefined;
let nextId = 1;
/** One decode at a time: the worker is single-threaded anyway, and a timeout then ends only its own request. */
let queue: Promise<unknown> = Promise.resolve();

function startWorker(): Worker {
  const w = new Worker(`(${codecWorkerMain.toString()})()`, { eval: true });
  w.unref(); // a CLI must be able to exit while the worker idles
  w.on('error', () => {
    if (worker === w) worker = undefined;
  });
  w.on('exit', () => {
    if (worker === w) worker = undefined;
  });
  return w;
}

export function decodeWithWasm(handle: CodecHandle, encoded: Uint8Array, file: string, maxDecodedBytes: number): Promise<WasmDecodeResult> {
  const run = queue.then(() => runOne(handle, encoded, file, maxDecodedBytes));
  queue = run.catch(() => undefined);
  return run;
}

function runOne(handle: CodecHandle, encoded: Uint8Array, file: string, maxDecodedBytes: number): Promise<WasmDecodeResult> {
  worker ??= startWorker();
  const w = worker;
  const id = nextId++;
  const copy = new Uint8Array(encoded); // transferred to the worker, so never the caller's buffer
  const request: WorkerRequest = { id, entry: require.resolve(handle.entry), decoderClass: handle.decoderClass, encoded: copy, maxDecodedBytes };
  const timeoutMs = decodeTimeoutMs(maxDecodedBytes);
  return new Promise<WasmDecodeResult>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('exit', onExit);
      w.unref();
    };
    const timer = setTimeout(() => {
      done();
      if (worker === w) worker = undefined;
      void w.terminate();
      reject(new MedsrError('invalid_input', 'codec.timeout', `${handle.name} decoder did not finish within ${Math.round(timeoutMs)} ms: the codestream is corrupt or hostile`, { file }));
    }, timeoutMs);
    const onExit = (): void => {
      done();
      reject(new MedsrError('internal', 'codec.worker_exit', `${handle.name} decoder worker exited`, { file }));
    };
    const onMessage = (reply: WorkerReply): void => {
      if (reply.id !== id) return;
      done();
      if (reply.ok) resolve({ info: reply.info, bytes: reply.bytes, interleaveMode: reply.interleaveMode });
      else reject(new MedsrError('invalid_input', reply.code, `${handle.name} codestream could not be decoded: ${reply.message}`, { file }));
    };
    w.on('message', onMessage);
    w.on('exit', onExit);
    w.ref(); // keep the process alive while a decode is pending
    w.postMessage(request, [copy.buffer]);
  });
}

export const CHARLS: CodecHandle = { entry: '@cornerstonejs/codec-charls/decodewasmjs', decoderClass: 'JpegLSDecoder', name: 'JPEG-LS' };
export const OPENJPEG: CodecHandle = { entry: '@cornerstonejs/codec-openjpeg/decodewasmjs', decoderClass: 'J2KDecoder', name: 'JPEG 2000' };
export const OPENJPH: CodecHandle = { entry: '@cornerstonejs/codec-openjph/wasmjs', decoderClass: 'HTJ2KDecoder', name: 'HTJ2K' };
export const LIBJPEG_TURBO: CodecHandle = { entry: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', decoderClass: 'JPEGDecoder', name: 'JPEG baseline' };

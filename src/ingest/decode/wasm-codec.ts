import { MedsrError } from '../../shared/errors';

/**
 * The @cornerstonejs/codec-* packages are Emscripten modules: a factory that resolves to a module
 * once its WASM is compiled. Each is loaded on first use only, and once. A decoder that traps
 * (corrupt input can make a C decoder abort) leaves its module unusable, so a trap drops the
 * module and the next frame loads a fresh one.
 */
export interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  readHeader?(): void;
  getFrameInfo(): FrameInfo;
  getInterleaveMode?(): number;
  getLastErrorMessage?(): string;
  delete?(): void;
}

type WasmModule = Record<string, unknown> & { getExceptionMessage?: (e: number) => string[] | string };

export interface CodecHandle {
  /** Package entry point of the Emscripten factory. */
  entry: string;
  /** Embind class of the decoder. */
  decoderClass: string;
  /** Codec name for error messages. */
  name: string;
}

const modules = new Map<string, Promise<WasmModule>>();

function loadModule(handle: CodecHandle): Promise<WasmModule> {
  let pending = modules.get(handle.entry);
  if (!pending) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(handle.entry) as ((opts?: object) => Promise<WasmModule>) | { default: (opts?: object) => Promise<WasmModule> };
    const factory = typeof exported === 'function' ? exported : exported.default;
    pending = factory({ print: () => undefined, printErr: () => undefined });
    modules.set(handle.entry, pending);
    pending.catch(() => modules.delete(handle.entry));
  }
  return pending;
}

export interface WasmDecodeResult {
  info: FrameInfo;
  /** A copy of the decoded bytes (the WASM heap is reused by the next decode). */
  bytes: Uint8Array;
  interleaveMode: number | undefined;
}

/** Decodes one codestream with a fresh decoder instance; throws MedsrError('codec.corrupt'). */
export async function decodeWithWasm(handle: CodecHandle, encoded: Uint8Array, file: string, maxDecodedBytes: number): Promise<WasmDecodeResult> {
  const module = await loadModule(handle);
  const DecoderClass = module[handle.decoderClass] as new () => WasmDecoder;
  const decoder = new DecoderClass();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    if (decoder.readHeader) {
      decoder.readHeader();
      const header = decoder.getFrameInfo();
      const bytesPerSample = header.bitsPerSample > 8 ? 2 : 1;
      if (header.width * header.height * header.componentCount * bytesPerSample > maxDecodedBytes) {
        throw new MedsrError('invalid_input', 'codec.size_mismatch', `${handle.name} codestream claims ${header.width} x ${header.height} x ${header.componentCount}, larger than the DICOM header says`, { file });
      }
    }
    decoder.decode();
    const info = { ...decoder.getFrameInfo() };
    const decoded = decoder.getDecodedBuffer();
    return { info, bytes: decoded.slice(), interleaveMode: decoder.getInterleaveMode?.() };
  } catch (err) {
    if (err instanceof MedsrError) throw err;
    if (err instanceof WebAssembly.RuntimeError) modules.delete(handle.entry);
    throw new MedsrError('invalid_input', 'codec.corrupt', `${handle.name} codestream could not be decoded: ${describe(err, module)}`, { file }, { cause: err });
  } finally {
    try {
      decoder.delete?.();
    } catch {
      modules.delete(handle.entry);
    }
  }
}

function describe(err: unknown, module: WasmModule): string {
  if (typeof err === 'number' && module.getExceptionMessage) {
    try {
      const message = module.getExceptionMessage(err);
      return Array.isArray(message) ? message.join(': ') : String(message);
    } catch {
      return `exception ${err}`;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

export const CHARLS: CodecHandle = { entry: '@cornerstonejs/codec-charls/decodewasmjs', decoderClass: 'JpegLSDecoder', name: 'JPEG-LS' };
export const OPENJPEG: CodecHandle = { entry: '@cornerstonejs/codec-openjpeg/decodewasmjs', decoderClass: 'J2KDecoder', name: 'JPEG 2000' };
export const OPENJPH: CodecHandle = { entry: '@cornerstonejs/codec-openjph/wasmjs', decoderClass: 'HTJ2KDecoder', name: 'HTJ2K' };
export const LIBJPEG_TURBO: CodecHandle = { entry: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', decoderClass: 'JPEGDecoder', name: 'JPEG baseline' };

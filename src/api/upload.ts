import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { MedsrError } from '../shared/errors';

export interface UploadLimits {
  maxBytes: number;
  maxFiles: number;
}

export interface UploadedFiles {
  dir: string;
  /** Path on disk -> the name the client gave (for reports). */
  names: Map<string, string>;
  cleanup(): Promise<void>;
}

/**
 * Streams every file part of a multipart request to a fresh temp directory (never into memory),
 * enforcing the size and count limits as bytes arrive. Names from the client are not trusted as
 * paths: files are stored as 00001.dcm, 00002.zip ... and the original name kept for reporting.
 */
export async function receiveUpload(req: Request, limits: UploadLimits, tmpRoot = os.tmpdir()): Promise<UploadedFiles> {
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.startsWith('multipart/form-data')) {
    throw new MedsrError('invalid_input', 'upload.content_type', 'upload as multipart/form-data (one or more file parts: DICOM files or zip archives)');
  }
  const dir = await fs.mkdtemp(path.join(tmpRoot, 'medsr-upload-'));
  const names = new Map<string, string>();
  const cleanup = (): Promise<void> => fs.rm(dir, { recursive: true, force: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const bb = busboy({ headers: req.headers, limits: { fileSize: limits.maxBytes, files: limits.maxFiles, fields: 20 } });
      let total = 0;
      let failed = false;
      const writes: Array<Promise<void>> = [];
      const fail = (err: MedsrError): void => {
        if (failed) return;
        failed = true;
        req.unpipe(bb);
        req.resume(); // drain what the client is still sending, so it gets our answer
        reject(err);
      };
      bb.on('file', (_field, stream, info) => {
        // keep only the extension that tells ingest how to read it
        const ext = /\.zip$/i.test(info.filename ?? '') ? '.zip' : '.dcm';
        const file = path.join(dir, `${String(names.size + 1).padStart(5, '0')}${ext}`);
        names.set(file, path.basename(info.filename || `file-${names.size + 1}`));
        stream.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > limits.maxBytes) fail(new MedsrError('too_large', 'upload.too_large', `upload exceeds ${limits.maxBytes} bytes`));
        });
        stream.on('limit', () => fail(new MedsrError('too_large', 'upload.too_large', `file ${info.filename} exceeds ${limits.maxBytes} bytes`)));
        // every write's failure is handled here: none may surface as an unhandled rejection
        writes.push(pipeline(stream, createWriteStream(file)).catch((err: Error) => fail(new MedsrError('internal', 'upload.write', err.message))));
      });
      bb.on('filesLimit', () => fail(new MedsrError('too_large', 'upload.too_many_files', `more than ${limits.maxFiles} files`)));
      bb.on('error', (err: Error) => fail(new MedsrError('invalid_input', 'upload.malformed', `malformed multipart body: ${err.message}`)));
      bb.on('close', () => {
        if (failed) return;
        void Promise.all(writes).then(() => {
          if (!failed) resolve();
        });
      });
      req.pipe(bb);
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  if (names.size === 0) {
    await cleanup();
    throw new MedsrError('invalid_input', 'upload.empty', 'the upload holds no files');
  }
  return { dir, names, cleanup };
}

import type { Readable } from 'node:stream';
import yazl from 'yazl';
import type { Storage } from './storage';

/**
 * Streams stored files as a zip, opening each only when the zip writer reaches it (a series of
 * hundreds of slices never sits in memory or holds hundreds of open files). DICOM compresses
 * poorly and is often already compressed: entries are stored, not deflated.
 */
export function zipStoredFiles(storage: Pick<Storage, 'stream'>, files: Array<[entryName: string, key: string]>): Readable {
  const zip = new yazl.ZipFile();
  for (const [name, key] of files) {
    zip.addReadStreamLazy(name, { compress: false }, (cb) => {
      storage.stream(key).then(
        (stream) => cb(null, stream),
        (err: Error) => cb(err, undefined as never),
      );
    });
  }
  zip.end();
  return zip.outputStream as Readable;
}

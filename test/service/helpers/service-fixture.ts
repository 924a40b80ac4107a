import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { createEmbeddedQueue } from '../../../src/service/jobs/embedded-queue';
import { createJobRunner } from '../../../src/service/jobs/job-runner';
import { createJobService } from '../../../src/service/jobs/job-service';
import { createJobStore } from '../../../src/service/jobs/job-store';
import type { SliceProcessor } from '../../../src/service/ports';
import { createDirectoryStorage } from '../../../src/service/storage';
import { createInstanceIndex } from '../../../src/service/instance-index';
import { createStudyCatalog } from '../../../src/service/study-catalog';
import { createStudyLifecycle } from '../../../src/service/study-lifecycle';
import { readDicomBytes, readInputs } from '../../../src/ingest';
import { tempDir } from '../../helpers/temp-dirs';
import { MR_SERIES_DIR } from './replicating-processor';

export { tempDir };

/**
 * The MR700 series (7 real slices) copied to a temp dir, with the last slice re-encoded as RLE
 * (dcmcrle keeps its UIDs) when `withCompressedSlice`: a slice the mini processor refuses.
 */
export function mrSeriesCopy(withCompressedSlice = false): string {
  const dir = tempDir('medsr-series-');
  const files = fs.readdirSync(MR_SERIES_DIR).sort();
  for (const f of files) fs.copyFileSync(path.join(MR_SERIES_DIR, f), path.join(dir, f));
  if (withCompressedSlice) {
    const last = path.join(dir, files[files.length - 1] as string);
    execFileSync('dcmcrle', [last, `${last}.rle`]);
    fs.renameSync(`${last}.rle`, last);
  }
  return dir;
}

/** Everything the embedded job engine needs, over a real directory and real DICOM. */
export function createEngine(dataDir: string, processor: SliceProcessor, maxQueued = 16, sliceConcurrency = 1) {
  const storage = createDirectoryStorage(dataDir);
  const store = createJobStore(storage);
  const catalog = createStudyCatalog({ storage, readInputs: (paths) => readInputs(paths), readDicomBytes });
  const events = new EventEmitter();
  const runJob = createJobRunner({ store, storage, catalog, processor, events, progressSaveIntervalMs: 20, sliceConcurrency });
  const queue = createEmbeddedQueue({ runJob, store, maxQueued });
  const jobs = createJobService({ store, storage, catalog, queue, events });
  const index = createInstanceIndex({ storage, store });
  const lifecycle = createStudyLifecycle({ storage, catalog, store, jobs });
  return { storage, store, catalog, events, runJob, queue, jobs, index, lifecycle };
}

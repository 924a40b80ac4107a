/**
 * What a real study export holds besides images: dose reports and other non-image objects,
 * files that share a SOP Instance UID. runBatch over real corpus files, the real ingest and
 * write-back (pixel-replicating resolver).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readInputs } from '../../../src/ingest';
import { runBatch } from '../../../src/service/batch/run-batch';
import { pydicom } from '../../ingest/helpers';
import { createNearestProcessor } from '../helpers/nearest-processor';
import { MR_SMALL } from '../helpers/replicating-processor';
import { tempDir } from '../helpers/service-fixture';

const CHARSETS = path.resolve(pydicom('CT_small.dcm'), '../../charset_files');
const batch = (inputs: string[], outDir: string) =>
  runBatch({ inputs, outDir, options: { scale: 2 }, concurrency: 2, readInputs: (p) => readInputs(p), processor: createNearestProcessor() });

const dcmFiles = (dir: string): string[] => (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.dcm'));

describe('runBatch on a mixed export', () => {
  it('lists non-image objects (SR, RT plan) as skipped without failing the batch', async () => {
    const out = tempDir('medsr-batch-mixed-');
    const report = await batch([MR_SMALL, pydicom('test-SR.dcm'), pydicom('rtplan.dcm')], out);
    expect(report.totals).toEqual({ inputs: 3, done: 1, failed: 0, skipped: 2, resumed: 0 });
    const skipped = report.items.filter((i) => i.status === 'skipped');
    expect(skipped.map((i) => path.basename(i.input)).sort()).toEqual(['rtplan.dcm', 'test-SR.dcm']);
    expect(skipped.every((i) => i.code === 'dicom.not_an_image' && /not an image/.test(i.reason ?? ''))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'report.csv'), 'utf8')).toMatch(/test-SR\.dcm,skipped,/);
  });

  it('refuses a second file under the same SOP Instance UID instead of overwriting the first', async () => {
    const out = tempDir('medsr-batch-dup-');
    const fren = path.join(CHARSETS, 'chrFren.dcm');
    const frenMulti = path.join(CHARSETS, 'chrFrenMulti.dcm'); // same SOP Instance UID, other bytes
    const report = await batch([fren, frenMulti], out);
    expect(report.totals).toEqual({ inputs: 2, done: 1, failed: 1, skipped: 0, resumed: 0 });
    const [done, failed] = [report.items.find((i) => i.status === 'done')!, report.items.find((i) => i.status === 'failed')!];
    expect(failed.code).toBe('batch.duplicate_uid');
    expect(failed.duplicateOf).toBe(done.input);
    expect(failed.reason).toContain(done.input);
    expect(failed.output).toBeUndefined();
    expect(dcmFiles(out)).toHaveLength(1);
  });

  it('upscales a byte-identical copy once, and counts only what an earlier run wrote as resumed', async () => {
    const out = tempDir('medsr-batch-copy-');
    const copy = path.join(tempDir(), 'copy-of-mr-small.dcm');
    fs.copyFileSync(MR_SMALL, copy);
    const first = await batch([MR_SMALL, copy], out);
    expect(first.totals).toEqual({ inputs: 2, done: 1, failed: 0, skipped: 1, resumed: 0 });
    expect(first.items.find((i) => i.status === 'skipped')!.code).toBe('batch.duplicate_copy');
    expect(dcmFiles(out)).toHaveLength(1);
    const second = await batch([MR_SMALL, copy], out);
    expect(second.totals).toEqual({ inputs: 2, done: 1, failed: 0, skipped: 1, resumed: 1 });
  });
});

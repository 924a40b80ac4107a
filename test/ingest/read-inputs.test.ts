import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readInputs, type ReadOptions, type ReadResult } from '../../src/ingest';
import { PYDICOM, makeTempDir, pydicom, writeZip } from './helpers';

const tmp = makeTempDir();

async function collect(paths: string[], options?: ReadOptions): Promise<ReadResult[]> {
  const results: ReadResult[] = [];
  for await (const r of readInputs(paths, options)) results.push(r);
  return results;
}
const oks = (rs: ReadResult[]): string[] => rs.flatMap((r) => (r.ok ? [r.instance.ref.label] : []));
const errors = (rs: ReadResult[]): Array<{ label: string; code: string; skipped: boolean }> =>
  rs.flatMap((r) => (r.ok ? [] : [{ label: r.ref.label, code: r.error.code, skipped: r.skipped === true }]));
const bytesOf = (name: string): Buffer => fs.readFileSync(pydicom(name));
function archiveOfOne(): string {
  const file = path.join(tmp, 'one.zip');
  if (!fs.existsSync(file)) writeZip(file, [{ name: 'a.dcm', data: bytesOf('MR_small.dcm') }]);
  return file;
}

describe('files and folders', () => {
  it('walks folders recursively, in name order, reporting each bad file and reading the rest', async () => {
    const root = path.join(tmp, 'walk');
    fs.mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
    fs.copyFileSync(pydicom('MR_small.dcm'), path.join(root, 'a', 'b', '2.dcm'));
    fs.copyFileSync(pydicom('CT_small.dcm'), path.join(root, 'a', '1.dcm'));
    fs.copyFileSync(pydicom('MR_truncated.dcm'), path.join(root, 'a', '3.dcm'));
    fs.copyFileSync(pydicom('rtplan.dcm'), path.join(root, '4.dcm'));
    fs.writeFileSync(path.join(root, 'notes.txt'), 'not a DICOM file at all, just some text\n');
    const results = await collect([root, path.join(tmp, 'does-not-exist')]);
    expect(oks(results)).toEqual([path.join(root, 'a', '1.dcm'), path.join(root, 'a', 'b', '2.dcm')]);
    expect(errors(results)).toEqual([
      { label: path.join(root, '4.dcm'), code: 'dicom.not_an_image', skipped: true },
      { label: path.join(root, 'a', '3.dcm'), code: 'dicom.truncated', skipped: false },
      { label: path.join(root, 'notes.txt'), code: 'dicom.not_dicom', skipped: false },
      { label: path.join(tmp, 'does-not-exist'), code: 'input.not_found', skipped: false },
    ]);
  });

  it('reads a file reached twice (folder and explicit path) once', async () => {
    const results = await collect([pydicom('MR_small.dcm'), pydicom('MR_small.dcm')]);
    expect(results).toHaveLength(1);
  });
});

describe('zip archives', () => {
  it('reads every entry of an archive made by zip(1), reporting the corrupt one by entry name', async () => {
    const dir = path.join(tmp, 'zsrc');
    fs.mkdirSync(path.join(dir, 'DICOM'), { recursive: true });
    fs.copyFileSync(pydicom('MR_small.dcm'), path.join(dir, 'DICOM', 'IM1'));
    fs.copyFileSync(pydicom('CT_small.dcm'), path.join(dir, 'DICOM', 'IM2'));
    fs.copyFileSync(pydicom('MR_small_jp2klossless.dcm'), path.join(dir, 'DICOM', 'IM3'));
    const corrupt = Buffer.from(bytesOf('MR_small_jpeg_ls_lossless.dcm'));
    corrupt.fill(0xff, corrupt.length - 1500, corrupt.length - 200);
    fs.writeFileSync(path.join(dir, 'DICOM', 'IM4'), corrupt.subarray(0, corrupt.length - 3000));
    const archive = path.join(tmp, 'study.zip');
    execFileSync('zip', ['-qr', archive, 'DICOM'], { cwd: dir });
    const results = await collect([archive]);
    // archive order is zip(1)'s, not sorted
    expect(oks(results).sort()).toEqual([`${archive}!DICOM/IM1`, `${archive}!DICOM/IM2`, `${archive}!DICOM/IM3`]);
    expect(errors(results)).toEqual([{ label: `${archive}!DICOM/IM4`, code: 'dicom.truncated', skipped: false }]);
    const im1 = results.find((r) => r.ok && r.instance.ref.entry === 'DICOM/IM1');
    expect(im1?.ok && im1.instance.ref).toEqual({ path: archive, entry: 'DICOM/IM1', label: `${archive}!DICOM/IM1` });
  });

  it('refuses ../ and absolute names, symlinks, encrypted, nested and garbled entries, and still reads the others', async () => {
    const archive = path.join(tmp, 'hostile.zip');
    const mr = bytesOf('MR_small.dcm');
    writeZip(archive, [
      { name: '../../evil.dcm', data: mr },
      { name: '/etc/evil.dcm', data: mr },
      { name: 'link.dcm', data: Buffer.from('/etc/passwd'), method: 'store', unixMode: 0o120777 },
      { name: 'secret.dcm', data: mr, encryptedFlag: true },
      { name: 'inner.zip', data: fs.readFileSync(archiveOfOne()) },
      { name: 'garbled.dcm', data: mr, rawBody: Buffer.alloc(3000, 0xa7) },
      { name: 'good.dcm', data: mr },
    ]);
    const results = await collect([archive]);
    expect(oks(results)).toEqual([`${archive}!good.dcm`]);
    expect(errors(results).map((e) => e.code)).toEqual(['zip.unsafe_path', 'zip.unsafe_path', 'zip.symlink', 'zip.encrypted', 'zip.nested', 'zip.corrupt_entry']);
    expect(fs.existsSync(path.join(tmp, '..', 'evil.dcm'))).toBe(false);
  });

  it('refuses the entries of a password-protected archive made by zip(1)', async () => {
    const dir = path.join(tmp, 'enc');
    fs.mkdirSync(dir);
    fs.copyFileSync(pydicom('MR_small.dcm'), path.join(dir, 'IM1'));
    const archive = path.join(tmp, 'encrypted.zip');
    execFileSync('zip', ['-q', '-P', 'secret', archive, 'IM1'], { cwd: dir });
    expect(errors(await collect([archive]))).toEqual([{ label: `${archive}!IM1`, code: 'zip.encrypted', skipped: false }]);
  });

  it('stops a zip bomb entry by its inflation ratio, counted while streaming', async () => {
    const archive = path.join(tmp, 'bomb.zip');
    writeZip(archive, [
      { name: 'bomb.dcm', data: Buffer.alloc(64 * 1024 * 1024) }, // ~64 kB compressed, ratio ~1000
      { name: 'after.dcm', data: bytesOf('MR_small.dcm') },
    ]);
    expect(fs.statSync(archive).size).toBeLessThan(1024 * 1024);
    const results = await collect([archive]);
    expect(errors(results)).toEqual([{ label: `${archive}!bomb.dcm`, code: 'zip.bomb', skipped: false }]);
    expect(oks(results)).toEqual([`${archive}!after.dcm`]);
  });

  it('does not trust a header that understates an entry size', async () => {
    const archive = path.join(tmp, 'liar.zip');
    writeZip(archive, [{ name: 'liar.dcm', data: Buffer.alloc(8 * 1024 * 1024, 7), claimedSize: 1000 }]);
    const results = await collect([archive], { limits: { maxFileBytes: 4 * 1024 * 1024 } });
    expect(results).toHaveLength(1);
    expect(results[0]!.ok).toBe(false);
    expect(errors(results)[0]!.code).toMatch(/^zip\.(entry_too_large|bomb|corrupt_entry)$/);
  });

  it('refuses an archive over its total inflated size and entry count limits before inflating any entry', async () => {
    const archive = path.join(tmp, 'many.zip');
    const mr = bytesOf('MR_small.dcm');
    writeZip(archive, ['a', 'b', 'c', 'd'].map((n) => ({ name: `${n}.dcm`, data: mr })));
    const bySize = await collect([archive], { limits: { maxArchiveBytes: Math.floor(mr.length * 2.5) } });
    expect(oks(bySize)).toEqual([]);
    expect(errors(bySize)).toEqual([{ label: archive, code: 'zip.bomb', skipped: false }]);
    const byCount = await collect([archive], { limits: { maxArchiveEntries: 3 } });
    expect(oks(byCount)).toEqual([]);
    expect(errors(byCount)).toEqual([{ label: archive, code: 'zip.too_many_entries', skipped: false }]);
  });

  it('refuses 5,000 x 1 MiB of zeros (5 GB from a few MB) as one bomb, inflating nothing', async () => {
    const archive = path.join(tmp, 'zeros.zip');
    const zeros = new Uint8Array(1024 * 1024);
    writeZip(archive, Array.from({ length: 5000 }, (_, i) => ({ name: `z/${i}.dcm`, data: zeros })));
    expect(fs.statSync(archive).size).toBeLessThan(8 * 1024 * 1024);
    const cpu = process.cpuUsage();
    const results = await collect([archive]);
    const { user, system } = process.cpuUsage(cpu);
    expect(errors(results)).toEqual([{ label: archive, code: 'zip.bomb', skipped: false }]);
    expect(results).toHaveLength(1);
    // reading the central directory only: far from the 19 s of CPU that inflating every entry took
    expect((user + system) / 1000).toBeLessThan(3000);
  });

  it('counts the limits per read (one upload), across its archives', async () => {
    const mr = bytesOf('MR_small.dcm');
    const first = path.join(tmp, 'first.zip');
    const second = path.join(tmp, 'second.zip');
    writeZip(first, [{ name: 'a.dcm', data: mr }, { name: 'b.dcm', data: mr }]);
    writeZip(second, [{ name: 'c.dcm', data: mr }, { name: 'd.dcm', data: mr }]);
    const results = await collect([first, second], { limits: { maxArchiveBytes: mr.length * 3 } });
    expect(oks(results)).toEqual([`${first}!a.dcm`, `${first}!b.dcm`]);
    expect(errors(results)).toEqual([{ label: second, code: 'zip.bomb', skipped: false }]);
  });

  it('reports a corrupt archive as one failure', async () => {
    const archive = path.join(tmp, 'broken.zip');
    fs.writeFileSync(archive, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100, 1)]));
    expect(errors(await collect([archive]))).toEqual([{ label: archive, code: 'zip.corrupt', skipped: false }]);
  });
});

describe('DICOMDIR', () => {
  const dicomdir = path.join(PYDICOM, 'dicomdirtests', 'DICOMDIR');

  it('follows the referenced files and does not report the DICOMDIR itself', async () => {
    const results = await collect([dicomdir]);
    expect(errors(results)).toEqual([]);
    const labels = oks(results);
    expect(labels.length).toBeGreaterThan(10);
    expect(labels).toContain(path.join(PYDICOM, 'dicomdirtests', '77654033', 'CT2', '17106'));
    expect(labels.some((l) => l.endsWith('DICOMDIR'))).toBe(false);
  });

  it('reads each file once when both the DICOMDIR and its folder are given', async () => {
    const results = await collect([dicomdir, path.join(PYDICOM, 'dicomdirtests', '77654033')]);
    const labels = oks(results).map((l) => path.resolve(l));
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('reports referenced files that are missing', async () => {
    const dir = path.join(tmp, 'lonely');
    fs.mkdirSync(dir);
    fs.copyFileSync(dicomdir, path.join(dir, 'DICOMDIR'));
    const results = await collect([path.join(dir, 'DICOMDIR')]);
    expect(oks(results)).toEqual([]);
    expect(errors(results).length).toBeGreaterThan(10);
    expect(new Set(errors(results).map((e) => e.code))).toEqual(new Set(['dicomdir.missing_file']));
  });
});

/**
 * Write-back keeps every name in every character set: pydicom's charset_files images (Latin-1,
 * Greek, Arabic, Hebrew, Russian, UTF-8, GB18030, and the ISO 2022 extensions for Japanese and
 * Korean that once failed with "Using multiple character sets is not supported") through the
 * real upscale use case and write-back. The oracle is pydicom (an independent decoder), run on
 * source and output; the output is UTF-8 and has no more dciodvfy errors than its source.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as dicomParser from 'dicom-parser';
import { readDicomBytes } from '../../src/ingest';
import { readDataset } from '../../src/ingest/write-derived-dataset';
import { createNearestProcessor } from '../service/helpers/nearest-processor';
import { tempDir } from '../service/helpers/service-fixture';
import { dciodvfy } from './helpers/dicom-tools';
import { pydicom } from './helpers';

const PYDICOM_PACKAGES = path.resolve(pydicom('CT_small.dcm'), '../../../..');
const CHARSETS = path.resolve(pydicom('CT_small.dcm'), '../../charset_files');
const IMAGES = ['chrArab', 'chrFren', 'chrFrenMulti', 'chrGerm', 'chrGreek', 'chrH31', 'chrH32', 'chrHbrw', 'chrI2', 'chrRuss', 'chrX1', 'chrX2'];
/** Text the derived-image rules write themselves. */
const OWNED = new Set(['0008,103E', '0020,4000', '0008,2111', '0008,0005']);

type TextByTag = Record<string, string[]>;

function pydicomText(files: string[]): Record<string, TextByTag> {
  const run = spawnSync('python3', [path.join(__dirname, 'helpers/pydicom-text.py'), ...files], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: PYDICOM_PACKAGES } });
  if (run.status !== 0) throw new Error(`pydicom-text.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, TextByTag>;
}

describe('derived DICOM from sources in any character set', () => {
  const out = tempDir('medsr-charsets-');
  const written = new Map<string, string>();
  beforeAll(async () => {
    const processor = createNearestProcessor();
    for (const name of IMAGES) {
      const file = path.join(CHARSETS, `${name}.dcm`);
      const source = readDicomBytes(new Uint8Array(fs.readFileSync(file)), { path: file, label: name });
      const { derived } = await processor(source, { options: { scale: 2 } });
      const target = path.join(out, `${name}.dcm`);
      fs.writeFileSync(target, derived);
      written.set(name, target);
    }
  });

  it('keeps every text value, as pydicom decodes it, in UTF-8', () => {
    const sources = IMAGES.map((n) => path.join(CHARSETS, `${n}.dcm`));
    const text = pydicomText([...sources, ...IMAGES.map((n) => written.get(n)!)]);
    IMAGES.forEach((name, i) => {
      const before = text[sources[i]!]!;
      const after = text[written.get(name)!]!;
      const kept = Object.fromEntries(Object.keys(before).filter((k) => !OWNED.has(k)).map((k) => [k, after[k]]));
      const expected = Object.fromEntries(Object.keys(before).filter((k) => !OWNED.has(k)).map((k) => [k, before[k]]));
      expect({ name, values: kept }).toEqual({ name, values: expected });
    });
    // the names the issue lists, spelled out
    expect(text[written.get('chrH32')!]!['0010,0010']).toEqual(['ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう']);
    expect(text[written.get('chrI2')!]!['0010,0010']).toEqual(['Hong^Gildong=洪^吉洞=홍^길동']);
  });

  it('labels the output ISO_IR 192 and adds no dciodvfy errors', () => {
    for (const name of IMAGES) {
      const ds = dicomParser.parseDicom(new Uint8Array(fs.readFileSync(written.get(name)!)));
      expect(ds.string('x00080005')).toBe('ISO_IR 192');
      const sourceErrors = new Set(dciodvfy(path.join(CHARSETS, `${name}.dcm`)).errors);
      expect({ name, errors: dciodvfy(written.get(name)!).errors.filter((e) => !sourceErrors.has(e)) }).toEqual({ name, errors: [] });
    }
  });

  it('decodes a sequence item in its own character set (chrSQEncoding: UTF-8 outside, ISO 2022 inside)', () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(CHARSETS, 'chrSQEncoding.dcm')));
    const { dict } = readDataset(bytes, 'chrSQEncoding', dicomParser.parseDicom(bytes));
    const item = (dict['00321064']!.Value as Array<Record<string, { Value?: unknown[] }>>)[0]!;
    expect(item['00100010']!.Value).toEqual([{ Alphabetic: 'ﾔﾏﾀﾞ^ﾀﾛｳ', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' }]);
    expect(dict['00321032']!.Value).toEqual([{ Alphabetic: 'Doctor^Who^^MD' }]);
  });
});

describe('group lengths', () => {
  it('are not copied into the derived file, where they would disagree with the new pixel data', async () => {
    const file = path.resolve(__dirname, '../../.cache/corpus/octave-dicom/usr/share/octave/packages/dicom-0.5.1/imdata/CT-MONO2-16-ankle.dcm');
    const bytes = new Uint8Array(fs.readFileSync(file));
    const source = readDicomBytes(bytes, { path: file, label: 'ankle' });
    expect(Object.keys(dicomParser.parseDicom(bytes).elements)).toContain('x7fe00000');
    const { derived } = await createNearestProcessor()(source, { options: { scale: 2 } });
    const groupLengths = Object.keys(dicomParser.parseDicom(derived).elements).filter((t) => t.endsWith('0000') && !t.startsWith('x0002'));
    expect(groupLengths).toEqual([]);
  });
});

/**
 * Elements that lie about themselves are refused when the file is read, before any reader after
 * dicom-parser (dcmjs' clone for write-back) can be misled by them.
 */
import fs from 'node:fs';
import { readDicomBytes } from '../../src/ingest';
import { readDataset } from '../../src/ingest/write-derived-dataset';
import { caught } from './helpers/caught';
import { pydicom } from './helpers';

const CT_SMALL = pydicom('CT_small.dcm');

function withBytes(file: string, edit: (bytes: Buffer) => void): Uint8Array {
  const bytes = Buffer.from(fs.readFileSync(file));
  edit(bytes);
  return new Uint8Array(bytes);
}

const at = (bytes: Buffer, pattern: number[]): number => {
  const i = bytes.indexOf(Buffer.from(pattern), 132);
  if (i < 0) throw new Error('pattern not in the fixture');
  return i;
};

describe('checkElements at read time', () => {
  it('refuses PatientName with its VR bytes zeroed (dcmjs read it as a 1.9 GB UN element)', () => {
    const bytes = withBytes(CT_SMALL, (b) => b.fill(0, at(b, [0x10, 0, 0x10, 0, 0x50, 0x4e]) + 4, at(b, [0x10, 0, 0x10, 0, 0x50, 0x4e]) + 6));
    const err = caught(() => readDicomBytes(bytes, { path: CT_SMALL, label: 'ct-bad-vr' }));
    expect(err.kind).toBe('invalid_input');
    expect(err.code).toBe('dicom.bad_element');
    expect(err.message).toContain('(0010,0010)');
    expect(err.details.file).toBe('ct-bad-vr');
  });

  it('refuses a VR of letters that is no DICOM VR', () => {
    const bytes = withBytes(CT_SMALL, (b) => b.write('QQ', at(b, [0x10, 0, 0x10, 0, 0x50, 0x4e]) + 4, 'latin1'));
    expect(caught(() => readDicomBytes(bytes, { path: CT_SMALL, label: 'x' })).code).toBe('dicom.bad_element');
  });

  it('refuses an element inside a sequence item that runs past its item', () => {
    // OtherPatientIDsSequence (0010,1002) holds items of LO/CS elements: stretch the first LO
    const bytes = withBytes(CT_SMALL, (b) => {
      const sq = at(b, [0x10, 0, 0x02, 0x10, 0x53, 0x51]);
      const lo = b.indexOf(Buffer.from('LO', 'latin1'), sq + 12) - 4;
      b.writeUInt16LE(0x0400, lo + 6);
    });
    const err = caught(() => readDicomBytes(bytes, { path: CT_SMALL, label: 'x' }));
    expect(err.kind).toBe('invalid_input');
  });

  it('still reads the untouched file, and its clone holds no more bytes than the file', () => {
    const bytes = new Uint8Array(fs.readFileSync(CT_SMALL));
    expect(readDicomBytes(bytes, { path: CT_SMALL, label: 'x' }).pixel.rows).toBe(128);
    expect(() => readDataset(bytes, 'x')).not.toThrow();
  });

  it('refuses to clone a source whose elements claim more bytes than the file (the second line of defence)', () => {
    const bytes = withBytes(CT_SMALL, (b) => b.fill(0, at(b, [0x10, 0, 0x10, 0, 0x50, 0x4e]) + 4, at(b, [0x10, 0, 0x10, 0, 0x50, 0x4e]) + 6));
    const err = caught(() => readDataset(bytes, 'x'));
    expect(err.code).toBe('dicom.bad_element');
  });
});

import fs from 'node:fs';
import { readDicomBytes, type InputRef } from '../../src/ingest';
import { MedsrError } from '../../src/shared/errors';
import { buildDicom, corpusFile, CORPUS, NIBABEL_NICOM, pydicom, readFileInstance } from './helpers';

const ref = (label: string): InputRef => ({ path: label, label });

function readError(bytes: Uint8Array, label = 'bad.dcm', limits?: Parameters<typeof readDicomBytes>[2]): MedsrError {
  try {
    readDicomBytes(bytes, ref(label), limits);
  } catch (err) {
    expect(err).toBeInstanceOf(MedsrError);
    return err as MedsrError;
  }
  throw new Error('expected readDicomBytes to throw');
}

describe('metadata', () => {
  it('reads identity, geometry, rescale and prompt metadata of a real CT slice', () => {
    const ct = readFileInstance(pydicom('CT_small.dcm'));
    expect(ct.modality).toBe('CT');
    expect(ct.sopInstanceUID).toBe('1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322');
    expect(ct.seriesInstanceUID).toBe('1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322');
    expect(ct.pixel).toMatchObject({ rows: 128, columns: 128, frames: 1, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1, rescaleSlope: 1, rescaleIntercept: -1024 });
    expect(ct.geometry.imagePositionPatient).toEqual([-158.135803, -179.035797, -75.699997]);
    expect(ct.geometry.imageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
    expect(ct.geometry.pixelSpacing).toEqual([0.661468, 0.661468]);
    expect(ct.promptMetadata.Modality).toBe('CT');
    expect(ct.promptMetadata.ImageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
  });

  it('reads MR acquisition parameters for the prompt', () => {
    const mr = readFileInstance(pydicom('MR_small.dcm'));
    expect(mr.modality).toBe('MR');
    expect(mr.promptMetadata.RepetitionTime).toBeGreaterThan(0);
    expect(mr.promptMetadata.EchoTime).toBeGreaterThan(0);
  });

  it('maps the acquired matrix onto the image axes by the phase-encoding direction', () => {
    // Siemens, 384 x 384, AcquisitionMatrix 0\384\202\0, InPlanePhaseEncodingDirection ROW: the 202 phase lines run
    // along each row, so they are the columns' count
    expect(readFileInstance(corpusFile(NIBABEL_NICOM, 'slicethickness_empty_string.dcm')).acquiredMatrix).toEqual({ rows: 384, columns: 202 });
    // a Siemens MOSAIC of 72 x 72 tiles, 72\0\0\72: the tile's matrix
    const mosaic = readFileInstance(corpusFile(CORPUS, 'dicomnifti/usr/share/doc/dicomnifti/examples/0001.dcm'));
    expect(mosaic.mosaic).toBeDefined();
    expect(mosaic.acquiredMatrix).toEqual({ rows: 72, columns: 72 });
    expect(readFileInstance(pydicom('MR_small.dcm')).acquiredMatrix).toBeUndefined();     // none in the header
  });

  it('keeps the Part 10 bytes for write-back', () => {
    const bytes = new Uint8Array(fs.readFileSync(pydicom('MR_small.dcm')));
    expect(readDicomBytes(bytes, ref('mr')).bytes).toBe(bytes);
  });
});

describe('bad input is a MedsrError naming the file', () => {
  const image = { rows: 4, columns: 4, pixelData: new Uint8Array(32) };

  it('not DICOM', () => {
    const e = readError(new TextEncoder().encode('just some text, long enough to look at'), 'notes.txt');
    expect(e).toMatchObject({ kind: 'invalid_input', code: 'dicom.not_dicom', details: { file: 'notes.txt' } });
  });

  it('truncated', () => {
    expect(readError(fs.readFileSync(pydicom('MR_truncated.dcm'))).code).toBe('dicom.truncated');
    const whole = fs.readFileSync(pydicom('CT_small.dcm'));
    expect(readError(whole.subarray(0, whole.length - 5000)).code).toMatch(/^(dicom\.truncated|pixel\.too_short)$/);
  });

  it('an image without pixel data, and a non-image', () => {
    const bytes = buildDicom(image);
    const withoutPixels = bytes.subarray(0, bytes.length - (12 + 32)); // drop the PixelData element
    expect(readError(withoutPixels)).toMatchObject({ kind: 'invalid_input', code: 'dicom.no_pixel_data' });
    expect(readError(fs.readFileSync(pydicom('rtplan.dcm')))).toMatchObject({ kind: 'unsupported', code: 'dicom.not_an_image' });
  });

  it('unsupported transfer syntax', () => {
    const e = readError(buildDicom({ ...image, transferSyntaxUID: '1.2.840.10008.1.2.4.100', pixelData: [new Uint8Array(10)] }));
    expect(e).toMatchObject({ kind: 'unsupported', code: 'dicom.unsupported_transfer_syntax' });
  });

  it('absurd dimensions and pixel data shorter than the header says', () => {
    expect(readError(buildDicom({ rows: 65535, columns: 65535, frames: 1000, pixelData: new Uint8Array(32) }))).toMatchObject({ kind: 'too_large', code: 'pixel.too_large' });
    expect(readError(buildDicom({ rows: 512, columns: 512, frames: 3, pixelData: new Uint8Array(512 * 512 * 2) }))).toMatchObject({ code: 'pixel.too_short' });
    expect(readError(buildDicom({ rows: 0, columns: 4, pixelData: new Uint8Array(32) })).code).toBe('pixel.bad_dimensions');
    expect(readError(buildDicom({ ...image, bitsAllocated: 16, bitsStored: 17 })).code).toBe('pixel.bad_bits');
    expect(readError(buildDicom({ ...image, bitsAllocated: 12 })).code).toBe('pixel.bad_bits');
  });

  it('applies the caller limits', () => {
    const e = readError(fs.readFileSync(pydicom('CT_small.dcm')), 'ct', { limits: { maxFrameSamples: 100 * 100 } });
    expect(e).toMatchObject({ kind: 'too_large', code: 'pixel.too_large' });
  });

  it('a DICOMDIR given as an image', () => {
    expect(readError(fs.readFileSync(pydicom('dicomdirtests/DICOMDIR'))).code).toBe('dicom.dicomdir');
  });
});

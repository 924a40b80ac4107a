import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPrompt, extractPromptMetadata, planeWord, tokenizePromptWords } from '../../src/ingest/prompt';
import type { PromptMetadata } from '../../src/ingest/types';

interface PromptVector {
  metadata: PromptMetadata;
  prompt: string;
}

const vectors = JSON.parse(readFileSync(join(__dirname, '../../docs/prompt-vectors.json'), 'utf8')) as PromptVector[];

describe('buildPrompt', () => {
  it('has vectors to run', () => {
    expect(vectors.length).toBeGreaterThan(10);
  });

  it.each(vectors.map((v) => [v.prompt, v.metadata] as const))('builds "%s"', (prompt, metadata) => {
    expect(buildPrompt(metadata)).toBe(prompt);
  });

  it('takes weighting words only for MR', () => {
    expect(buildPrompt({ Modality: 'CT', SeriesDescription: 'T2 FLAIR head' })).toBe('ct head');
  });

  it('falls back from an unknown body part to the descriptions', () => {
    expect(buildPrompt({ Modality: 'CT', BodyPartExamined: 'LIVER', StudyDescription: 'CT ABDOMEN PELVIS' })).toBe('ct abdomen');
  });

  it('leaves out the empty modality', () => {
    expect(buildPrompt({ BodyPartExamined: 'KNEE' })).toBe('knee');
    expect(buildPrompt({})).toBe('');
  });
});

describe('tokenizePromptWords', () => {
  it('splits on runs outside [a-z0-9] after lowercasing', () => {
    expect(tokenizePromptWords('*tfl3d1_16ns')).toEqual(['tfl3d1', '16ns']);
    expect(tokenizePromptWords('  ABDOMEN^LIVER--T2* ')).toEqual(['abdomen', 'liver', 't2']);
    expect(tokenizePromptWords('')).toEqual([]);
  });
});

describe('planeWord', () => {
  it('picks the axis of the largest normal component', () => {
    expect(planeWord([1, 0, 0, 0, 1, 0])).toBe('axial');
    expect(planeWord([0, 1, 0, 0, 0, -1])).toBe('sagittal');
    expect(planeWord([1, 0, 0, 0, 0, -1])).toBe('coronal');
    expect(planeWord([1, 0, 0])).toBeUndefined();
    expect(planeWord([0, 0, 0, 0, 0, 0])).toBeUndefined();
  });
});

describe('extractPromptMetadata', () => {
  it('parses DICOM strings and multi-valued numbers and skips blanks', () => {
    const values: Record<string, string | number | number[] | undefined> = {
      Modality: 'MR ',
      BodyPartExamined: '  ',
      SeriesDescription: 'T1 AX',
      RepetitionTime: '500.0',
      EchoTime: 15,
      ImageOrientationPatient: '1\\0\\0\\0\\1\\0',
      DiffusionBValue: '',
    };
    const meta = extractPromptMetadata((key) => values[key]);
    expect(meta).toEqual({
      Modality: 'MR',
      SeriesDescription: 'T1 AX',
      RepetitionTime: 500,
      EchoTime: 15,
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    });
    expect(buildPrompt(meta)).toBe('mr t1 axial');
  });
});

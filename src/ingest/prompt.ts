/**
 * The text prompt built from DICOM metadata, exactly as docs/model-contract.md ("The prompt")
 * defines it; the Python recipe builds the same words, and docs/prompt-vectors.json holds the
 * vectors both sides must reproduce. Words: modality, anatomy, weighting (MR only), plane.
 */
import type { PromptMetadata } from './types';

const ANATOMY = new Set([
  'head', 'neck', 'chest', 'abdomen', 'pelvis', 'spine', 'knee', 'shoulder', 'hip', 'ankle', 'wrist', 'breast',
  'heart', 'extremity',
]);

const ANATOMY_SYNONYMS: Record<string, string> = {
  brain: 'head',
  skull: 'head',
  headneck: 'head',
  thorax: 'chest',
  abdomenpelvis: 'abdomen',
  cspine: 'spine',
  tspine: 'spine',
  lspine: 'spine',
};

const DIFFUSION_WORDS = ['dwi', 'diffusion', 'dti', 'adc', 'b0', 'trace', 'diff'];
const T1_WORDS = ['t1', 'mprage', 'spgr'];
const PLANES = ['sagittal', 'coronal', 'axial'] as const;

/** The contract's tokeniser: lowercase, split on every run of characters outside [a-z0-9], drop empties. */
export function tokenizePromptWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

function toAnatomy(word: string): string | undefined {
  const mapped = ANATOMY_SYNONYMS[word] ?? word;
  return ANATOMY.has(mapped) ? mapped : undefined;
}

export function anatomyWord(meta: PromptMetadata): string | undefined {
  if (meta.BodyPartExamined !== undefined) {
    const bodyPart = toAnatomy(meta.BodyPartExamined.toLowerCase().replace(/[ _]/g, ''));
    if (bodyPart) return bodyPart;
  }
  for (const text of [meta.SeriesDescription, meta.StudyDescription]) {
    for (const word of tokenizePromptWords(text ?? '')) {
      const anatomy = toAnatomy(word);
      if (anatomy) return anatomy;
    }
  }
  return undefined;
}

/** MR weighting: the first rule that matches, in the contract's order. */
export function weightingWord(meta: PromptMetadata): string | undefined {
  const words = new Set(
    [meta.SeriesDescription, meta.ProtocolName, meta.SequenceName].flatMap((text) => tokenizePromptWords(text ?? '')),
  );
  const any = (candidates: string[]): boolean => candidates.some((word) => words.has(word));
  if (words.has('flair')) return 'flair';
  if (any(DIFFUSION_WORDS) || meta.DiffusionBValue !== undefined) return 'dwi';
  if (words.has('t2')) return 't2';
  if (words.has('pd')) return 'pd';
  if (any(T1_WORDS)) return 't1';
  const tr = meta.RepetitionTime;
  const te = meta.EchoTime;
  if (tr === undefined || te === undefined) return undefined;
  if (tr < 1000 && te < 30) return 't1';
  if (tr >= 2000 && te >= 60) return 't2';
  if (tr >= 2000 && te < 30) return 'pd';
  return undefined;
}

/** The plane whose axis is closest to the slice normal (row direction x column direction). */
export function planeWord(orientation: readonly number[] | undefined): string | undefined {
  if (!orientation || orientation.length < 6 || orientation.some((v) => !Number.isFinite(v))) return undefined;
  const [r0, r1, r2, c0, c1, c2] = orientation as [number, number, number, number, number, number];
  const normal = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0].map(Math.abs) as [number, number, number];
  let largest = 0;
  for (let i = 1; i < 3; i++) if (normal[i]! > normal[largest]!) largest = i;
  if (normal[largest] === 0) return undefined;
  return PLANES[largest];
}

export function buildPrompt(meta: PromptMetadata): string {
  const modality = meta.Modality?.trim().toLowerCase();
  const words = [
    modality || undefined,
    anatomyWord(meta),
    modality === 'mr' ? weightingWord(meta) : undefined,
    planeWord(meta.ImageOrientationPatient),
  ];
  return words.filter((word): word is string => word !== undefined).join(' ');
}

type PromptValue = string | number | number[] | undefined;

function asText(value: PromptValue): string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join('\\') : String(value);
  return text.trim() === '' ? undefined : text.trim();
}

function asNumber(value: PromptValue): number | undefined {
  const first = Array.isArray(value) ? value[0] : typeof value === 'string' ? value.split('\\')[0] : value;
  if (first === undefined || (typeof first === 'string' && first.trim() === '')) return undefined;
  const n = Number(first);
  return Number.isFinite(n) ? n : undefined;
}

function asNumbers(value: PromptValue): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = Array.isArray(value) ? value : typeof value === 'number' ? [value] : value.split('\\').map(Number);
  return parts.length > 0 && parts.every(Number.isFinite) ? parts : undefined;
}

/**
 * Reads the prompt's attributes through any accessor by DICOM keyword (a dicom-parser wrapper, a
 * dcmjs naturalized dataset, a JSON fixture), so every reader builds PromptMetadata the same way.
 */
export function extractPromptMetadata(get: (keyword: keyof PromptMetadata) => PromptValue): PromptMetadata {
  const meta: PromptMetadata = {};
  for (const key of ['Modality', 'BodyPartExamined', 'SeriesDescription', 'StudyDescription', 'ProtocolName', 'SequenceName'] as const) {
    const text = asText(get(key));
    if (text !== undefined) meta[key] = text;
  }
  for (const key of ['RepetitionTime', 'EchoTime', 'DiffusionBValue'] as const) {
    const n = asNumber(get(key));
    if (n !== undefined) meta[key] = n;
  }
  const orientation = asNumbers(get('ImageOrientationPatient'));
  if (orientation && orientation.length === 6) meta.ImageOrientationPatient = orientation;
  return meta;
}

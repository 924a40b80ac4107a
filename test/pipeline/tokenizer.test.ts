import { loadTokenizer, WordTokenizer } from '../../src/pipeline/tokenizer';
import { loadManifest } from '../../src/pipeline/manifest';
import { parityModelDirs } from './helpers/model-dirs';
import { loadReferences } from './helpers/reference';

const spec = { type: 'word' as const, lowercase: true, max_length: 6, pad_id: 0, unk_id: 1, vocab: ['<pad>', '<unk>', 'mr', 'ct', 'head', 't1', 'axial'] };

describe('WordTokenizer (contract rule)', () => {
  const tok = new WordTokenizer(spec);
  it('lowercases, splits on runs outside [a-z0-9], maps unknown words to unk, pads', () => {
    expect(tok.encode('MR  Head_T1 -- axial!!')).toEqual([2, 4, 5, 6, 0, 0]);
    expect(tok.encode('mr brain')).toEqual([2, 1, 0, 0, 0, 0]);
    expect(tok.encode('')).toEqual([0, 0, 0, 0, 0, 0]);
    expect(tok.encode('  ...  ')).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it('truncates to max_length', () => {
    expect(tok.encode('mr ct head t1 axial mr ct head')).toEqual([2, 3, 4, 5, 6, 2]);
  });
  it('does not treat non-ASCII letters as word characters', () => {
    expect(tok.encode('mr\u00e9head')).toEqual([2, 4, 0, 0, 0, 0]);
  });
  it('batches prompts into [B, L] int64', () => {
    const b = tok.encodeBatch(['mr', 'ct head']);
    expect(b.shape).toEqual([2, 6]);
    expect(Array.from(b.int64, Number)).toEqual([2, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0]);
  });
});

// The recipe's ids for the reference prompts (text_encoder "prompts", pipeline "prompt"/"input_ids").
describe.each(parityModelDirs())('token ids match the reference files of %s', (dir) => {
  const cases: Array<[string, number[]]> = [];
  for (const r of loadReferences(dir)) {
    const prompts = r.raw.prompts as string[] | undefined;
    const ids = r.inputs.input_ids;
    if (prompts && ids) {
      const L = ids.shape[1]!;
      prompts.forEach((p, b) => cases.push([p, Array.from(ids.data as BigInt64Array, Number).slice(b * L, (b + 1) * L)]));
    }
    // model 2.0 references tokenise the text the encoder sees (task words, then the prompt)
    const text = typeof r.raw.text === 'string' ? r.raw.text : r.raw.prompt;
    if (typeof text === 'string' && Array.isArray(r.raw.input_ids)) cases.push([text, r.raw.input_ids as number[]]);
  }
  (cases.length ? it : it.skip)('same ids for the same prompts', async () => {
    const m = await loadManifest(dir);
    const tok = await loadTokenizer(m.dir, m.tokenizer.file);
    for (const [prompt, ids] of cases) expect([prompt, tok.encode(prompt)]).toEqual([prompt, ids]);
  });
});

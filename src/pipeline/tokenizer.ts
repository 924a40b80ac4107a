import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MedsrError } from '../shared/errors';

/** tokenizer.json (docs/model-contract.md): a lowercase word tokenizer with a fixed vocabulary. */
const TokenizerSchema = z.object({
  type: z.literal('word'),
  lowercase: z.boolean(),
  max_length: z.number().int().positive(),
  pad_id: z.number().int().min(0),
  unk_id: z.number().int().min(0),
  vocab: z.array(z.string()).min(2),
});

export type TokenizerSpec = z.infer<typeof TokenizerSchema>;

export class WordTokenizer {
  private readonly index = new Map<string, number>();

  constructor(readonly spec: TokenizerSpec) {
    // first occurrence wins, as Python's list.index does
    spec.vocab.forEach((word, i) => {
      if (!this.index.has(word)) this.index.set(word, i);
    });
  }

  get maxLength(): number {
    return this.spec.max_length;
  }

  /** Lowercase, split on runs outside [a-z0-9], map to ids (else unk), truncate, pad. */
  encode(prompt: string): number[] {
    const text = this.spec.lowercase ? prompt.toLowerCase() : prompt;
    const words = text.split(/[^a-z0-9]+/).filter((w) => w.length > 0);
    const ids = words.map((w) => this.index.get(w) ?? this.spec.unk_id).slice(0, this.spec.max_length);
    while (ids.length < this.spec.max_length) ids.push(this.spec.pad_id);
    return ids;
  }

  /** [B, L] int64 ids for a batch of prompts. */
  encodeBatch(prompts: string[]): { int64: BigInt64Array; shape: number[] } {
    const L = this.spec.max_length;
    const out = new BigInt64Array(prompts.length * L);
    prompts.forEach((p, b) => this.encode(p).forEach((id, i) => (out[b * L + i] = BigInt(id))));
    return { int64: out, shape: [prompts.length, L] };
  }
}

export async function loadTokenizer(modelDir: string, file: string): Promise<WordTokenizer> {
  const full = path.join(modelDir, file);
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(full, 'utf8'));
  } catch (err) {
    throw new MedsrError('model', 'tokenizer.read', `cannot read tokenizer ${full}: ${(err as Error).message}`, { file: full }, { cause: err });
  }
  const parsed = TokenizerSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new MedsrError('model', 'tokenizer.invalid', `tokenizer ${full} is invalid: ${issues.join('; ')}`, { file: full, issues });
  }
  return new WordTokenizer(parsed.data);
}

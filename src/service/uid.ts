import { createHash, randomUUID } from 'node:crypto';

/** A UUID-derived DICOM UID (2.25.<128-bit integer>), as PS3.5 B.2 allows. */
export function randomUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

/**
 * The same UID every time for the same parts: a job that is retried after a crash rewrites a
 * slice under the UID it would have had, so no second copy of an instance can ever appear.
 */
export function stableUid(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
  return `2.25.${BigInt(`0x${digest}`).toString()}`;
}

/**
 * Inputs that share a SOP Instance UID. Test corpora and careless exports do this (pydicom's
 * chrFren.dcm and chrFrenMulti.dcm share one); each derived instance's name and UID are made
 * from its source's UID, so the second would silently overwrite the first. The first input seen
 * is processed; a byte-identical copy is skipped, and a different file under the same UID is
 * refused, naming the input it clashes with.
 */
import { createHash } from 'node:crypto';
import type { DicomInstance } from '../../ingest/types';

export type DuplicateVerdict =
  | { kind: 'first' }
  /** the same bytes again (a file reached twice, or a copy): nothing new to write */
  | { kind: 'copy'; firstInput: string }
  /** other bytes under the same UID: writing it would overwrite the first one's output */
  | { kind: 'conflict'; firstInput: string };

export interface DuplicateGuard {
  check(instance: DicomInstance): DuplicateVerdict;
}

export function createDuplicateGuard(): DuplicateGuard {
  const seen = new Map<string, { input: string; digest: string }>();
  return {
    check(instance) {
      const digest = createHash('sha256').update(instance.bytes).digest('hex');
      const first = seen.get(instance.sopInstanceUID);
      if (!first) {
        seen.set(instance.sopInstanceUID, { input: instance.ref.label, digest });
        return { kind: 'first' };
      }
      return { kind: first.digest === digest ? 'copy' : 'conflict', firstInput: first.input };
    },
  };
}

/**
 * DICOM UIDs for what medsr creates (derived instances and series, jobs, batch outputs): the one
 * place that makes them. The 2.25 root (ISO/IEC 9834-8, DICOM PS3.5 B.2) turns a 128-bit number
 * (a random UUID, or a digest) into a UID without a registered organisation root:
 * `2.25.<128-bit integer>`.
 */
import { createHash, randomUUID } from 'node:crypto';

/** DICOM UIDs are at most 64 characters of digits and dots, no leading zeros in a component. */
const UID_PATTERN = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function uuidToUid(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: ${uuid}`);
  return hex128ToUid(hex);
}

function hex128ToUid(hex: string): string {
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}

/** A fresh, globally unique UID (at most 44 characters). */
export function newUid(): string {
  return uuidToUid(randomUUID());
}

/**
 * The same UID every time for the same parts: a job that is retried after a crash rewrites a
 * slice under the UID it would have had, so no second copy of an instance can ever appear.
 */
export function stableUid(...parts: string[]): string {
  return hex128ToUid(createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32));
}

export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && UID_PATTERN.test(uid);
}

/**
 * Fixed UID naming medsr as the implementation that wrote a file (File Meta ImplementationClassUID).
 * Made once from a random UUID; it must never change between releases.
 */
export const MEDSR_IMPLEMENTATION_CLASS_UID = uuidToUid('6f1d3c52-8a4e-4b7e-9c1a-2d5e8f30b471');

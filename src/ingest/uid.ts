/**
 * DICOM UIDs for what medsr creates. The 2.25 root (ISO/IEC 9834-8, DICOM PS3.5 B.2) turns a
 * random UUID into a UID without a registered organisation root: `2.25.<128-bit integer>`.
 */
import { randomUUID } from 'node:crypto';

/** DICOM UIDs are at most 64 characters of digits and dots, no leading zeros in a component. */
const UID_PATTERN = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function uuidToUid(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: ${uuid}`);
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}

/** A fresh, globally unique UID (at most 44 characters). */
export function newUid(): string {
  return uuidToUid(randomUUID());
}

export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && UID_PATTERN.test(uid);
}

/**
 * Fixed UID naming medsr as the implementation that wrote a file (File Meta ImplementationClassUID).
 * Made once from a random UUID; it must never change between releases.
 */
export const MEDSR_IMPLEMENTATION_CLASS_UID = uuidToUid('6f1d3c52-8a4e-4b7e-9c1a-2d5e8f30b471');

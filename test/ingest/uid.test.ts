import { isValidUid, MEDSR_IMPLEMENTATION_CLASS_UID, newUid, stableUid, uuidToUid } from '../../src/ingest/uid';

describe('newUid', () => {
  it('gives distinct valid 2.25 UIDs', () => {
    const uids = Array.from({ length: 200 }, newUid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) {
      expect(uid.startsWith('2.25.')).toBe(true);
      expect(isValidUid(uid)).toBe(true);
    }
  });

  it('writes the UUID as its decimal integer', () => {
    expect(uuidToUid('00000000-0000-0000-0000-00000000000a')).toBe('2.25.10');
    expect(uuidToUid('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe(`2.25.${(2n ** 128n - 1n).toString()}`);
    expect(() => uuidToUid('not-a-uuid')).toThrow(RangeError);
  });

  it('rejects what DICOM forbids', () => {
    expect(isValidUid('1.2.03')).toBe(false);
    expect(isValidUid('1..2')).toBe(false);
    expect(isValidUid(`1.${'2'.repeat(64)}`)).toBe(false);
    expect(isValidUid(MEDSR_IMPLEMENTATION_CLASS_UID)).toBe(true);
  });

  it('stableUid gives the same valid UID for the same parts, and the UIDs earlier releases wrote (resumed batches keep their names)', () => {
    expect(stableUid('batch-sop', '1.2.3', 'x2')).toBe('2.25.80834028679438069608875300327065037972');
    expect(stableUid('batch-sop', '1.2.3', 'x2')).toBe(stableUid('batch-sop', '1.2.3', 'x2'));
    expect(stableUid('batch-sop', '1.2.3', 'x4')).not.toBe(stableUid('batch-sop', '1.2.3', 'x2'));
    expect(stableUid('a', 'bc')).not.toBe(stableUid('ab', 'c'));
    expect(isValidUid(stableUid('job', '1.2.3', 'sr'))).toBe(true);
  });
});

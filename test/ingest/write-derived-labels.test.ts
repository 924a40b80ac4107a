import { NOT_FOR_DIAGNOSTIC_USE, seriesDescriptionFor } from '../../src/ingest/write-derived-labels';
import { dicomNow, parseTimezoneOffset } from '../../src/ingest/write-derived-datetime';

describe('seriesDescriptionFor', () => {
  it('appends the label and stays within LO (64 characters), shortening the base, never the label', () => {
    expect(seriesDescriptionFor('T1 AX', 'super-resolution')).toBe(`T1 AX [AI super-resolution, ${NOT_FOR_DIAGNOSTIC_USE}]`);
    const long = seriesDescriptionFor('x'.repeat(200), 'super-resolution');
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long.endsWith(`[AI super-resolution, ${NOT_FOR_DIAGNOSTIC_USE}]`)).toBe(true);
    const uncertainty = seriesDescriptionFor('T2 FLAIR COR', 'uncertainty');
    expect(uncertainty.length).toBeLessThanOrEqual(64);
    expect(uncertainty).toMatch(/uncertainty \(per-pixel SD\), NOT FOR DIAGNOSTIC USE/);
  });

  it('uses the label alone for an empty base and keeps a base that already says it all', () => {
    expect(seriesDescriptionFor('  ', 'super-resolution')).toBe(`AI super-resolution, ${NOT_FOR_DIAGNOSTIC_USE}`);
    const complete = 'T1 super-resolution x2 NOT FOR DIAGNOSTIC USE';
    expect(seriesDescriptionFor(complete, 'super-resolution')).toBe(complete);
    // ... but not for the other kind, which must say "uncertainty"
    expect(seriesDescriptionFor(complete, 'uncertainty')).toMatch(/uncertainty/);
  });
});

describe('dicomNow', () => {
  const now = new Date('2026-01-01T02:03:04.005Z');

  it('writes UTC without an offset and local time with one, crossing midnight', () => {
    expect(dicomNow(now)).toEqual({ date: '20260101', time: '020304.005000', dateTime: '20260101020304.005000+0000' });
    expect(dicomNow(now, -5 * 60)).toEqual({ date: '20251231', time: '210304.005000', dateTime: '20251231210304.005000-0500' });
    expect(dicomNow(now, 5 * 60 + 30).dateTime).toBe('20260101073304.005000+0530');
  });

  it('parses TimezoneOffsetFromUTC and ignores malformed values', () => {
    expect(parseTimezoneOffset('-0500')).toBe(-300);
    expect(parseTimezoneOffset('+0530 ')).toBe(330);
    expect(parseTimezoneOffset('0500')).toBeUndefined();
    expect(parseTimezoneOffset(undefined)).toBeUndefined();
  });
});

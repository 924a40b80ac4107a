/** Attribute matching (PS3.4 C.2.2.2) on the DICOM JSON of a real instance, and DICOM node parsing. */
import fs from 'node:fs';
import { toDicomJson } from '../../src/ingest';
import { parseDicomNode } from '../../src/service/autoroute/destination';
import { matchesKey } from '../../src/service/dicom-query';
import { MR_SMALL } from './helpers/replicating-processor';

const json = toDicomJson(new Uint8Array(fs.readFileSync(MR_SMALL)));

describe('matchesKey on MR_small', () => {
  it('matches single values, wildcards and case-insensitive person names', () => {
    expect(matchesKey(json['00080060'], 'MR', 'CS')).toBe(true);
    expect(matchesKey(json['00080060'], 'CT', 'CS')).toBe(false);
    expect(matchesKey(json['00080060'], 'CT\\MR', 'CS')).toBe(true);
    expect(matchesKey(json['00100010'], 'compressed*', 'PN')).toBe(true);
    expect(matchesKey(json['00100010'], 'CompressedSamples^MR?', 'PN')).toBe(true);
    expect(matchesKey(json['00100010'], 'Doe*', 'PN')).toBe(false);
    expect(matchesKey(json['00100010'], '', 'PN')).toBe(true);
  });

  it('matches UID lists and date ranges', () => {
    const study = json['0020000D']!.Value![0] as string;
    expect(matchesKey(json['0020000D'], `1.2.3,${study}`, 'UI')).toBe(true);
    expect(matchesKey(json['0020000D'], '1.2.3', 'UI')).toBe(false);
    expect(json['00080020']!.Value).toEqual(['20040826']);
    expect(matchesKey(json['00080020'], '20040101-20041231', 'DA')).toBe(true);
    expect(matchesKey(json['00080020'], '20040827-', 'DA')).toBe(false);
    expect(matchesKey(json['00080020'], '-20040826', 'DA')).toBe(true);
    expect(matchesKey(undefined, '20040826', 'DA')).toBe(false);
  });

  it('leaves pixel data out of the metadata and keeps the transfer syntax', () => {
    expect(json['7FE00010']).toBeUndefined();
    expect(json['00083002']!.Value).toEqual(['1.2.840.10008.1.2.1']);
  });
});

describe('parseDicomNode', () => {
  it('reads AET@host:port and refuses anything else by name', () => {
    expect(parseDicomNode('PACS@10.0.0.5:104')).toEqual({ aeTitle: 'PACS', host: '10.0.0.5', port: 104 });
    for (const bad of ['PACS@host', 'host:104', 'PACS@host:0', 'AN_AE_TITLE_TOO_LONG@h:104']) {
      expect(() => parseDicomNode(bad)).toThrow(/not a DICOM node/);
    }
  });
});

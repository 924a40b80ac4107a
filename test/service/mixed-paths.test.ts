import { countPath, describePaths, mergePaths, mixedPathWarnings } from '../../src/service/mixed-paths';

describe('mixedPathWarnings', () => {
  it('says nothing when every series kept to one path, or when no slice has run yet', () => {
    expect(mixedPathWarnings([
      { seriesInstanceUID: '1.1', paths: { kspace: 1 } },
      { seriesInstanceUID: '1.1', paths: { kspace: 2 } },
      { seriesInstanceUID: '1.2', paths: { bicubic: 1 } },
      { seriesInstanceUID: '1.2' },
      { paths: { kspace: 1 } },
    ])).toEqual([]);
    expect(mixedPathWarnings([])).toEqual([]);
  });

  it('names each series whose slices took different paths, with the counts summed over its slices, most first', () => {
    const warnings = mixedPathWarnings([
      { seriesInstanceUID: '1.2', paths: { bicubic: 1 } },
      { seriesInstanceUID: '1.1', paths: { kspace: 1 } },
      { seriesInstanceUID: '1.2', paths: { kspace: 1 } },
      { seriesInstanceUID: '1.2', paths: { kspace: 2, bicubic: 1 } }, // a mosaic: its tiles counted
      { seriesInstanceUID: '1.3', paths: { area: 1 } },
      { seriesInstanceUID: '1.3', paths: { bicubic: 1 } },
    ]);
    expect(warnings.map((w) => [w.seriesInstanceUID, w.paths])).toEqual([['1.2', { kspace: 3, bicubic: 2 }], ['1.3', { area: 1, bicubic: 1 }]]);
    expect(Object.keys(warnings[0]!.paths)).toEqual(['kspace', 'bicubic']);
    expect(warnings[0]!.code).toBe('series.mixed_paths');
    expect(warnings[0]!.message).toMatch(/^the slices of series 1\.2 took different paths \(kspace 3, bicubic 2\): .*run it again with the degradation told/);
  });
});

describe('path counts', () => {
  it('count, merge and read as "path n, ..." most first', () => {
    const counts = countPath(countPath(countPath({}, 'bicubic'), 'kspace'), 'kspace');
    expect(counts).toEqual({ bicubic: 1, kspace: 2 });
    expect(mergePaths(counts, { auto: 3, kspace: 1 })).toEqual({ bicubic: 1, kspace: 3, auto: 3 });
    expect(describePaths({ bicubic: 1, kspace: 4 })).toBe('kspace 4, bicubic 1');
  });
});

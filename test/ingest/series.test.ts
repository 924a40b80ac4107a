import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { assembleSeries, readInputs, type DicomInstance } from '../../src/ingest';
import { PYDICOM, readFileInstance, pydicom } from './helpers';

const template = readFileInstance(pydicom('CT_small.dcm'));

/** A copy of a real instance placed at `z` along a tilted normal, with its own UIDs. */
function slice(z: number, options: { n?: number; uid?: string; series?: string; study?: string; rows?: number } = {}): DicomInstance {
  // rows along x, columns along a direction tilted 30 degrees out of the y axis
  const c = Math.cos(Math.PI / 6);
  const s = Math.sin(Math.PI / 6);
  const normal = [0, -s, c];
  return {
    ...template,
    sopInstanceUID: options.uid ?? `1.2.3.${z}`,
    seriesInstanceUID: options.series ?? '1.2.3.100',
    studyInstanceUID: options.study ?? '1.2.3.1',
    instanceNumber: options.n,
    ref: { path: `s${z}`, label: `s${z}` },
    pixel: { ...template.pixel, rows: options.rows ?? template.pixel.rows },
    geometry: { ...template.geometry, imageOrientationPatient: [1, 0, 0, 0, c, s], imagePositionPatient: [5, 10 + z * normal[1]!, -20 + z * normal[2]!] },
  };
}

function shuffle<T>(items: T[]): T[] {
  // a fixed permutation: deterministic, and far from sorted
  return items.map((item, i) => ({ item, key: (i * 7919) % 101 })).sort((a, b) => a.key - b.key).map((x) => x.item);
}

describe('assembleSeries', () => {
  it('orders slices along the normal of an oblique series, whatever InstanceNumber says', () => {
    const slices = [0, 2.5, 5, 7.5, 10, 12.5].map((z, i) => slice(z, { n: 100 - i }));
    const [study] = assembleSeries(shuffle(slices));
    expect(study!.series).toHaveLength(1);
    expect(study!.series[0]!.instances.map((i) => i.sopInstanceUID)).toEqual(slices.map((s) => s.sopInstanceUID));
    expect(study!.series[0]!.warnings).toEqual([]);
  });

  it('groups by study and by series', () => {
    const studies = assembleSeries([slice(0, { series: 'A' }), slice(1, { series: 'B', study: 'S2' }), slice(2, { series: 'A' }), slice(3, { series: 'C' })]);
    expect(studies.map((s) => [s.studyInstanceUID, s.series.map((x) => [x.seriesInstanceUID, x.instances.length])])).toEqual([
      ['1.2.3.1', [['A', 2], ['C', 1]]],
      ['S2', [['B', 1]]],
    ]);
  });

  it('warns about gaps, duplicate positions, duplicate instances and mixed sizes', () => {
    const slices = [slice(0), slice(1), slice(2), slice(5), slice(6), slice(6, { uid: 'other' }), slice(7, { rows: 64 })];
    const duplicate = { ...slices[1]!, ref: { path: 'copy', label: 'copy' } };
    const [study] = assembleSeries([...slices, duplicate]);
    const warnings = study!.series[0]!.warnings.join('\n');
    expect(warnings).toMatch(/gap.*3\.00 mm where 1\.00 mm is typical/);
    expect(warnings).toMatch(/2 slice\(s\) share a position/);
    expect(warnings).toMatch(/duplicate SOPInstanceUID 1\.2\.3\.1 in (s1, copy|copy, s1)/);
    expect(warnings).toMatch(/mixed image sizes: 128x128, 64x128/);
  });

  it('falls back to InstanceNumber without geometry', () => {
    const slices = [3, 1, 2].map((n) => ({ ...slice(n, { n }), geometry: { ...template.geometry, imagePositionPatient: undefined } }));
    const [study] = assembleSeries(slices);
    expect(study!.series[0]!.instances.map((i) => i.instanceNumber)).toEqual([1, 2, 3]);
  });

  it('orders a real CT series (pydicom dicomdirtests) as its ImagePositionPatient z says (read by dcmdump)', async () => {
    const folder = path.join(PYDICOM, 'dicomdirtests', '98892001', 'CT5N');
    const instances: DicomInstance[] = [];
    for await (const r of readInputs([folder])) if (r.ok) instances.push(r.instance);
    const [study] = assembleSeries(instances);
    const ordered = study!.series[0]!.instances.map((i) => i.ref.path);
    const z = (file: string): number => {
      const line = execFileSync('dcmdump', ['+P', '0020,0032', file]).toString();
      return Number(/\[([^\]]+)\]/.exec(line)![1]!.split('\\')[2]);
    };
    const zs = ordered.map(z);
    expect(zs).toEqual([...zs].sort((a, b) => a - b));
    expect(new Set(zs).size).toBe(5);
  });
});

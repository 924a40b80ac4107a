/**
 * The DIMSE SCP against dcmtk peers: echoscu, storescu of a real MR series (stored as received,
 * in the same study storage the upload route uses), findscu at study and series level.
 */
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { startDimseServer, type DimseServer } from '../../src/dimse/dimse-server';
import { readDicomBytes, readInputs } from '../../src/ingest';
import { createServices, type Services } from '../../src/service/services';
import { createReplicatingProcessor, MR_SERIES_DIR, MR_SMALL } from '../service/helpers/replicating-processor';
import { tempDir } from '../service/helpers/service-fixture';
import { dcmtk, echo } from './helpers/dcmtk';

const seriesFiles = fs.readdirSync(MR_SERIES_DIR).sort().map((f) => path.join(MR_SERIES_DIR, f));
const uidsOf = (file: string): { study: string; series: string; sop: string; datasetOffset: number } => {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const ds = dicomParser.parseDicom(bytes);
  const group2End = Object.values(ds.elements).filter((e) => e.tag.startsWith('x0002')).reduce((end, e) => Math.max(end, e.dataOffset + e.length), 0);
  return { study: ds.string('x0020000d')!, series: ds.string('x0020000e')!, sop: ds.string('x00080018')!, datasetOffset: group2End };
};

describe('DIMSE SCP (dcmjs-dimse) with dcmtk peers', () => {
  let services: Services;
  let dimse: DimseServer;

  beforeAll(async () => {
    services = createServices({ dataDir: tempDir(), readInputs: (p) => readInputs(p), readDicomBytes, processor: createReplicatingProcessor(), maxQueue: 8 });
    dimse = await startDimseServer({ port: 0, aeTitle: 'MEDSR', lifecycle: services.lifecycle, index: services.index });
  });
  afterAll(async () => {
    await dimse.close();
    await services.close();
  });

  it('answers C-ECHO for its AE title and rejects another called AE title', async () => {
    expect(await echo('MEDSR', dimse.port)).toBe(0);
    expect(await echo('SOMEONE', dimse.port)).not.toBe(0);
  });

  it('stores a C-STORE-d series as received, listed by the catalog like an upload', async () => {
    const run = await dcmtk('storescu', ['-aec', 'MEDSR', '127.0.0.1', String(dimse.port), ...seriesFiles]);
    expect(run.status).toBe(0);
    const { study, series } = uidsOf(seriesFiles[0]!);
    const listed = await services.catalog.getSeries(study, series);
    expect(listed.instanceCount).toBe(seriesFiles.length);
    for (const file of seriesFiles) {
      const u = uidsOf(file);
      const stored = await services.catalog.instanceBytes(u.study, u.series, u.sop);
      const storedDataset = stored.subarray(uidsOf(writeTemp(stored)).datasetOffset);
      // explicit VR little endian in, the same bytes out: the data set is kept exactly as sent
      expect(Buffer.compare(storedDataset, fs.readFileSync(file).subarray(u.datasetOffset))).toBe(0);
    }
  });

  it('answers C-FIND at study and series level with the stored attributes', async () => {
    const { study, series } = uidsOf(seriesFiles[0]!);
    const studies = await dcmtk('findscu', ['-S', '-aec', 'MEDSR', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID', '-k', 'PatientName', '-k', 'ModalitiesInStudy', '127.0.0.1', String(dimse.port)]);
    expect(studies.status).toBe(0);
    expect(studies.out).toContain(study);
    expect(studies.out).toMatch(/\[MR\] .*ModalitiesInStudy/);
    const seriesAnswer = await dcmtk('findscu', ['-S', '-aec', 'MEDSR', '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${study}`, '-k', 'SeriesInstanceUID', '-k', 'Modality=MR', '-k', 'NumberOfSeriesRelatedInstances', '127.0.0.1', String(dimse.port)]);
    expect(seriesAnswer.status).toBe(0);
    expect(seriesAnswer.out).toContain(series);
    expect(seriesAnswer.out).toMatch(/\[7 ?\] .*NumberOfSeriesRelatedInstances/);
    const none = await dcmtk('findscu', ['-S', '-aec', 'MEDSR', '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${study}`, '-k', 'SeriesInstanceUID', '-k', 'Modality=CT', '127.0.0.1', String(dimse.port)]);
    expect(none.out).not.toContain(series);
  });

  it('matches patient names with wildcards at study level', async () => {
    expect((await dcmtk('storescu', ['-aec', 'MEDSR', '127.0.0.1', String(dimse.port), MR_SMALL])).status).toBe(0);
    const name = dicomParser.parseDicom(new Uint8Array(fs.readFileSync(MR_SMALL))).string('x00100010')!;
    const hit = await dcmtk('findscu', ['-S', '-aec', 'MEDSR', '-k', 'QueryRetrieveLevel=STUDY', '-k', `PatientName=${name.slice(0, 5).toLowerCase()}*`, '-k', 'StudyInstanceUID', '127.0.0.1', String(dimse.port)]);
    expect(hit.out).toContain(uidsOf(MR_SMALL).study);
    expect(hit.out).not.toContain(uidsOf(seriesFiles[0]!).study);
  });
});

function writeTemp(bytes: Buffer): string {
  const file = path.join(tempDir(), 'x.dcm');
  fs.writeFileSync(file, bytes);
  return file;
}

/**
 * The "done when", end to end: a real `medsr serve` (built CLI, shipped model) with
 * MEDSR_DIMSE_PORT and MEDSR_AUTOROUTE pointing at dcmtk's storescp. C-ECHO succeeds; storescu of
 * a real MR series makes the derived series arrive at storescp with no other call, each file
 * referencing its input in SourceImageSequence and passing dciodvfy: MR_small (whose source has no
 * dciodvfy errors) with none at all, the MR700 series with none beyond the two its source has.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { MR_SERIES_DIR, MR_SMALL } from '../service/helpers/replicating-processor';
import { newIodErrors, testModelDir } from '../service/helpers/real-runtime';
import { tempDir } from '../service/helpers/service-fixture';
import { dcmtk, echo, freePort, iodErrors, startStoreScp, type StoreScp, until } from '../dimse/helpers/dcmtk';
import { ensureBuilt, ROOT } from './helpers/run-medsr';

jest.setTimeout(180_000);

const seriesFiles = fs.readdirSync(MR_SERIES_DIR).sort().map((f) => path.join(MR_SERIES_DIR, f));
const inputs = [...seriesFiles, MR_SMALL];
const sopOf = (file: string): string => dicomParser.parseDicom(new Uint8Array(fs.readFileSync(file))).string('x00080018')!;

describe('medsr serve with MEDSR_DIMSE_PORT and MEDSR_AUTOROUTE', () => {
  let server: ChildProcess | undefined;
  let pacs: StoreScp | undefined;
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await pacs?.close();
  });

  it('routes a series received with storescu to storescp as a derived series', async () => {
    ensureBuilt();
    pacs = await startStoreScp('DESTPACS', tempDir('medsr-pacs-'));
    const dimsePort = await freePort();
    const env = {
      ...process.env,
      MEDSR_LOG_LEVEL: 'info',
      MEDSR_INFERENCE_WORKERS: '1',
      MEDSR_INTRA_OP_THREADS: '2',
      MEDSR_DIMSE_PORT: String(dimsePort),
      MEDSR_AUTOROUTE: `DESTPACS@127.0.0.1:${pacs.port}`,
      MEDSR_SERIES_IDLE_S: '1',
    };
    server = spawn(process.execPath, [path.join(ROOT, 'bin', 'medsr.js'), 'serve', '--port', '0', '--data-dir', tempDir(), '--model', testModelDir(), '--device', 'cpu'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let logs = '';
    server.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
    const url = await until(() => /"url":"(http:\/\/[^"]+)"/.exec(logs)?.[1], 60_000, 'serve to listen');
    await until(() => (logs.includes('"msg":"DIMSE listening"') ? true : undefined), 30_000, 'DIMSE to listen');
    await until(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 60_000, 'the model to load');

    expect(await echo('MEDSR', dimsePort)).toBe(0);
    expect((await dcmtk('storescu', ['-aec', 'MEDSR', '127.0.0.1', String(dimsePort), ...inputs])).status).toBe(0);

    const arrived = await until(() => (pacs!.files().length >= inputs.length ? pacs!.files() : undefined), 120_000, 'the derived series at storescp');
    expect(arrived).toHaveLength(inputs.length);
    const sourceBySop = new Map(inputs.map((f) => [sopOf(f), f]));
    const referenced = new Set<string>();
    for (const file of arrived) {
      const ds = dicomParser.parseDicom(new Uint8Array(fs.readFileSync(file)));
      expect(ds.string('x00080008')).toMatch(/^DERIVED\\SECONDARY/);
      const items = ds.elements.x00082112?.items ?? [];
      expect(items).toHaveLength(1);
      const sourceSop = items[0]!.dataSet!.string('x00081155')!;
      referenced.add(sourceSop);
      const source = sourceBySop.get(sourceSop)!;
      const sourceRows = dicomParser.parseDicom(new Uint8Array(fs.readFileSync(source))).uint16('x00280010')!;
      expect(ds.uint16('x00280010')).toBe(sourceRows * 2);
      if (source === MR_SMALL) expect(iodErrors(file)).toEqual([]);
      else expect(newIodErrors(file, source)).toEqual([]);
    }
    expect(referenced).toEqual(new Set(sourceBySop.keys()));

    // one job per received series, each saying where its results went
    type Jobs = { jobs: Array<{ route?: { state: string; sentInstances: number } }> };
    const routed = await until(async () => {
      const list = (await (await fetch(`${url}/api/v1/jobs`)).json()) as Jobs;
      return list.jobs.filter((j) => j.route?.state === 'sent').length === 2 ? list.jobs : undefined;
    }, 10_000, 'the jobs to record the delivery');
    expect(routed.map((j) => j.route!.sentInstances).sort()).toEqual([1, seriesFiles.length]);
  });
});

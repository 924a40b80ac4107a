import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tempDir } from '../../helpers/temp-dirs';
import { pydicom } from '../../ingest/helpers';
import { ensureBuilt, medsr } from '../../cli/helpers/run-medsr';

// onnxruntime-node's telemetry (src/pipeline/runtime/telemetry-off.ts), checked on a real CLI process whose environment
// does not set ORT_DISABLE_TELEMETRY (jest.config.js sets it for the test workers). Without the opt-out, a process that
// opens a session writes HOME/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,onnxruntime.db} and
// /tmp/mat-debug-<pid>.log (onnxruntime-node 1.30 on Linux).
beforeAll(() => ensureBuilt(), 300_000);

test('an upscale through the CLI leaves no onnxruntime telemetry behind', () => {
  const home = tempDir('medsr-home-');
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, MEDSR_LOG_LEVEL: 'warn' };
  delete env.ORT_DISABLE_TELEMETRY;
  const out = path.join(tempDir('medsr-telemetry-'), 'out');
  const r = medsr(['upscale', pydicom('MR_small.dcm'), '--scale', '2', '--steps', '1', '--out', out], { env });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(fs.readdirSync(out).length).toBeGreaterThan(0);   // a session did run
  expect(fs.existsSync(path.join(home, '.cache', 'Microsoft'))).toBe(false);
  expect(fs.existsSync(path.join(os.tmpdir(), `mat-debug-${r.pid}.log`))).toBe(false);
  expect(fs.existsSync(path.join('/tmp', `mat-debug-${r.pid}.log`))).toBe(false);
}, 300_000);

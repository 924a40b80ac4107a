import path from 'node:path';
import { ESLint } from 'eslint';

/** The layering of DESIGN.md ("a linter enforces these arrows") is enforced by eslint.config.js
 * (eslint-plugin-boundaries). These cases lint text as if it were a file at the given path, so the
 * suite fails if the enforcement is removed or loosened. */
const ROOT = path.resolve(__dirname, '../..');
// the config is required here rather than found by ESLint, which loads it with a dynamic import()
// that jest's module sandbox does not support; it is the same file `npm run lint` uses
// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require(path.join(ROOT, 'eslint.config.js')) as ESLint.Options['overrideConfig'];
const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: true, overrideConfig: config ?? null });

async function layeringErrors(file: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'boundaries/dependencies' || m.fatal).map((m) => m.message);
}

describe('layering (npm run lint)', () => {
  it.each([
    ['src/pipeline/upscale-probe.ts', "import { createRuntime } from '../service/runtime';\nexport const f = createRuntime;\n"],
    ['src/pipeline/schedulers/probe.ts', "export { createRuntime } from '../../service/runtime';\n"],
    ['src/pipeline/probe.ts', "export const ingest = import('../ingest');\n"],
    ['src/shared/probe.ts', "import { readInputs } from '../ingest';\nexport const f = readInputs;\n"],
    ['src/ingest/probe.ts', "import { loadManifest } from '../pipeline';\nexport const f = loadManifest;\n"],
    ['src/service/probe.ts', "import { createApp } from '../api/app';\nexport const f = createApp;\n"],
    ['src/api/probe.ts', "import { startDimseServer } from '../dimse/dimse-server';\nexport const f = startDimseServer;\n"],
    ['src/dimse/probe.ts', "import { createApp } from '../api/app';\nexport const f = createApp;\n"],
    ['src/viewer/probe.ts', "import { parseConfig } from '../shared/config';\nexport const f = parseConfig;\n"],
    ['src/viewer/probe.ts', "import { type MedsrConfig } from '../shared/config';\nexport type C = MedsrConfig;\n"],
  ])('%s: %j is an error', async (file, text) => {
    const errors = await layeringErrors(file, text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/no policy allowing dependencies/);
  });

  it.each([
    ['src/pipeline/probe.ts', "import { parseConfig } from '../shared/config';\nexport const f = parseConfig;\n"],
    ['src/pipeline/schedulers/probe.ts', "import { SeededRng } from '../../shared/rng';\nexport const r = SeededRng;\n"],
    ['src/service/probe.ts', "import { readInputs } from '../ingest';\nimport { loadManifest } from '../pipeline';\nexport const f = [readInputs, loadManifest];\n"],
    ['src/cli/probe.ts', "import { createApp } from '../api/app';\nimport { startDimseServer } from '../dimse/dimse-server';\nexport const f = [createApp, startDimseServer];\n"],
    ['src/viewer/probe.ts', "import type { MedsrConfig } from '../shared/config';\nexport type C = MedsrConfig;\n"],
  ])('%s: %j is allowed', async (file, text) => {
    expect(await layeringErrors(file, text)).toEqual([]);
  });
});

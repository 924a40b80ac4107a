import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp-dirs';
import { staleBuildOutputs, staleViewerSources } from './helpers/build-freshness';

/** The check that makes CLI tests rebuild rather than run a dist/ older than src/. */
describe('staleBuildOutputs', () => {
  const root = tempDir('medsr-freshness-');
  const src = path.join(root, 'src');
  const dist = path.join(root, 'dist');
  const write = (file: string, mtimeSeconds: number): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    fs.utimesSync(file, mtimeSeconds, mtimeSeconds);
  };

  it('names sources edited after their build, or never built, and ignores the viewer and .d.ts', () => {
    write(path.join(src, 'pipeline', 'upscale.ts'), 2000);
    write(path.join(dist, 'pipeline', 'upscale.js'), 1000); // built before the edit
    write(path.join(src, 'cli', 'main.ts'), 1000);
    write(path.join(dist, 'cli', 'main.js'), 2000); // up to date
    write(path.join(src, 'service', 'new-file.ts'), 1000); // no build at all
    write(path.join(src, 'viewer', 'main.ts'), 3000); // built by its own bundler, not tsc
    write(path.join(src, 'types', 'x.d.ts'), 3000);
    expect(staleBuildOutputs(src, dist).sort()).toEqual([path.join('pipeline', 'upscale.ts'), path.join('service', 'new-file.ts')]);
  });
});

describe('staleViewerSources', () => {
  const root = tempDir('medsr-viewer-freshness-');
  const src = path.join(root, 'src', 'viewer');
  const dist = path.join(root, 'dist', 'viewer');
  const write = (file: string, mtimeSeconds: number): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    fs.utimesSync(file, mtimeSeconds, mtimeSeconds);
  };

  it('names viewer sources edited after the oldest file of the bundle, and every source while the bundle is incomplete', () => {
    write(path.join(src, 'job-panel.ts'), 1000);
    write(path.join(src, 'viewer.css'), 1000);
    write(path.join(dist, 'index.html'), 2000);
    write(path.join(dist, 'viewer.css'), 2000);
    expect(staleViewerSources(src, dist).sort()).toEqual(['job-panel.ts', 'viewer.css']); // no viewer.js yet
    write(path.join(dist, 'viewer.js'), 2000);
    expect(staleViewerSources(src, dist)).toEqual([]);
    write(path.join(src, 'types', 'cornerstone.d.ts'), 3000);
    expect(staleViewerSources(src, dist)).toEqual([path.join('types', 'cornerstone.d.ts')]);
  });
});

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The src/ files `tsc -p tsconfig.build.json` compiles (src/viewer has its own build) that are
 * newer than their compiled .js in dist/, or have none. tsc rewrites every output it emits, so an
 * output older than its source means that source changed after the last build.
 */
export function staleBuildOutputs(srcDir: string, distDir: string): string[] {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      const rel = path.relative(srcDir, file);
      if (entry.isDirectory()) {
        if (rel !== 'viewer') walk(file);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const built = path.join(distDir, rel.replace(/\.ts$/, '.js'));
        if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(file).mtimeMs) stale.push(rel);
      }
    }
  };
  walk(srcDir);
  return stale;
}

/**
 * Rebuilds dist/ when any source is newer than its build, so a test that spawns bin/medsr.js
 * runs the code as it is now; fails loudly (the compiler's errors) rather than run a stale build.
 */
export function ensureFreshBuild(root: string): void {
  const src = path.join(root, 'src');
  const dist = path.join(root, 'dist');
  const before = staleBuildOutputs(src, dist);
  if (before.length === 0) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const out = err as { stdout?: string; stderr?: string };
    throw new Error(`dist/ is older than src/ (${before.slice(0, 3).join(', ')}...) and the rebuild failed:\n${out.stdout ?? ''}${out.stderr ?? ''}`);
  }
  const after = staleBuildOutputs(src, dist);
  if (after.length > 0) throw new Error(`dist/ is still older than src/ after a rebuild: ${after.slice(0, 5).join(', ')}`);
}

/** The viewer's bundle (scripts/build-viewer.js writes these) and the sources it is made from. */
const VIEWER_OUTPUTS = ['index.html', 'viewer.css', 'viewer.js'];

/**
 * The src/viewer files newer than the oldest file of its bundle in dist/viewer (every file when the bundle is
 * incomplete): the bundler rewrites all three, so a source newer than one of them changed after the last bundle.
 */
export function staleViewerSources(viewerSrc: string, viewerDist: string): string[] {
  const built = VIEWER_OUTPUTS.map((f) => path.join(viewerDist, f));
  const oldest = built.every((f) => fs.existsSync(f)) ? Math.min(...built.map((f) => fs.statSync(f).mtimeMs)) : -Infinity;
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (fs.statSync(file).mtimeMs > oldest) stale.push(path.relative(viewerSrc, file));
    }
  };
  walk(viewerSrc);
  return stale;
}

/** Rebundles the viewer when any of its sources is newer than its bundle, so the browser tests run the viewer as it is now. */
export function ensureFreshViewer(root: string): void {
  const stale = staleViewerSources(path.join(root, 'src', 'viewer'), path.join(root, 'dist', 'viewer'));
  if (stale.length === 0) return;
  try {
    execFileSync('npm', ['run', 'build:viewer'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const out = err as { stdout?: string; stderr?: string };
    throw new Error(`dist/viewer is older than src/viewer (${stale.slice(0, 3).join(', ')}...) and the rebuild failed:\n${out.stdout ?? ''}${out.stderr ?? ''}`);
  }
}

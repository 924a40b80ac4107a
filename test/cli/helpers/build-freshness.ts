import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Every file under `dir`, as paths relative to it, leaving out the directories `skip` names (relative too). */
function filesUnder(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (sub: string): void => {
    for (const entry of fs.readdirSync(sub, { withFileTypes: true })) {
      const file = path.join(sub, entry.name);
      const rel = path.relative(dir, file);
      if (!entry.isDirectory()) out.push(rel);
      else if (!skip(rel)) walk(file);
    }
  };
  walk(dir);
  return out;
}

/**
 * Runs a build step because `stale` (what is older than its sources, never empty) says so, and fails loudly (the
 * build's own errors) rather than let a test run a stale build; `staleAfter` is asked again once it has run.
 */
function rebuild(root: string, command: string, args: string[], what: string, stale: string[], staleAfter: () => string[]): void {
  try {
    execFileSync(command, args, { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const out = err as { stdout?: string; stderr?: string };
    throw new Error(`${what} is older than its sources (${stale.slice(0, 3).join(', ')}...) and the rebuild failed:\n${out.stdout ?? ''}${out.stderr ?? ''}`);
  }
  const after = staleAfter();
  if (after.length > 0) throw new Error(`${what} is still older than its sources after a rebuild: ${after.slice(0, 5).join(', ')}`);
}

/**
 * The src/ files `tsc -p tsconfig.build.json` compiles (src/viewer has its own build) that are
 * newer than their compiled .js in dist/, or have none. tsc rewrites every output it emits, so an
 * output older than its source means that source changed after the last build.
 */
export function staleBuildOutputs(srcDir: string, distDir: string): string[] {
  return filesUnder(srcDir, (rel) => rel === 'viewer')
    .filter((rel) => rel.endsWith('.ts') && !rel.endsWith('.d.ts'))
    .filter((rel) => {
      const built = path.join(distDir, rel.replace(/\.ts$/, '.js'));
      return !fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(path.join(srcDir, rel)).mtimeMs;
    });
}

/**
 * Rebuilds dist/ when any source is newer than its build, so a test that spawns bin/medsr.js
 * runs the code as it is now.
 */
export function ensureFreshBuild(root: string): void {
  const src = path.join(root, 'src');
  const dist = path.join(root, 'dist');
  const stale = staleBuildOutputs(src, dist);
  if (stale.length > 0) rebuild(root, 'npx', ['tsc', '-p', 'tsconfig.build.json'], 'dist/', stale, () => staleBuildOutputs(src, dist));
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
  return filesUnder(viewerSrc).filter((rel) => fs.statSync(path.join(viewerSrc, rel)).mtimeMs > oldest);
}

/** Rebundles the viewer when any of its sources is newer than its bundle, so the browser tests run the viewer as it is now. */
export function ensureFreshViewer(root: string): void {
  const src = path.join(root, 'src', 'viewer');
  const dist = path.join(root, 'dist', 'viewer');
  const stale = staleViewerSources(src, dist);
  if (stale.length > 0) rebuild(root, 'npm', ['run', 'build:viewer'], 'dist/viewer', stale, () => staleViewerSources(src, dist));
}

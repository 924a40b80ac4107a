import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, pydicom } from '../ingest/helpers';
import { ensureBuilt, medsr } from './helpers/run-medsr';

/** What a real `medsr upscale` prints: short human lines by default, JSON logs only when asked for. */
const tmp = makeTempDir('medsr-log-output-');
beforeAll(ensureBuilt);

const { MEDSR_LOG_LEVEL: _unset, ...baseEnv } = process.env;
const hasCuda = !!process.env.CUDA_VISIBLE_DEVICES || fs.existsSync('/dev/nvidia0');

/** Lines that are pino JSON records. */
const jsonLogLines = (text: string): Array<{ level: number; msg: string }> =>
  text.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string }).filter((r) => typeof r.level === 'number');

function upscale(name: string, extra: string[], env: NodeJS.ProcessEnv = baseEnv) {
  const out = path.join(tmp, name);
  const r = medsr(['upscale', pydicom('CT_small.dcm'), '--scale', '2', '--steps', '1', '--out', out, ...extra], { env });
  return { ...r, all: `${r.stdout}${r.stderr}` };
}

describe('medsr upscale output', () => {
  it('prints only its human lines by default: no JSON logs, no onnxruntime warning', () => {
    const r = upscale('default', []);
    expect(r.status).toBe(0);
    expect(jsonLogLines(r.all)).toEqual([]);
    expect(r.all).not.toMatch(/Failed to load|onnxruntime/);
    expect(r.stdout).toMatch(/^wrote .*\.dcm$/m);
    expect(r.stdout).toMatch(/^1 done \(0 from an earlier run\), 0 skipped, 0 failed; report: /m);
    expect(r.stderr).toBe('');
  });

  it('adds JSON logs on stderr with --log-level info, the CUDA fallback once', () => {
    const r = upscale('info', ['--log-level', 'info']);
    expect(r.status).toBe(0);
    expect(jsonLogLines(r.stdout)).toEqual([]); // stdout stays human
    const logs = jsonLogLines(r.stderr);
    expect(logs.map((l) => l.msg)).toContain('model loaded');
    expect(logs.every((l) => l.level >= 30)).toBe(true);
    if (!hasCuda) expect(logs.filter((l) => /not available, running on cpu/.test(l.msg)).map((l) => l.level)).toEqual([30]);
  });

  it('takes the level from MEDSR_LOG_LEVEL too', () => {
    const r = upscale('env', [], { ...baseEnv, MEDSR_LOG_LEVEL: 'info' });
    expect(r.status).toBe(0);
    expect(jsonLogLines(r.stderr).length).toBeGreaterThan(0);
  });

  (hasCuda ? it.skip : it)('--device cuda without the CUDA provider fails with a message that says how to get it', () => {
    const r = upscale('cuda', ['--device', 'cuda']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^medsr: runtime\.cuda_unavailable: --device cuda: onnxruntime's CUDA provider cannot be loaded/m);
    expect(r.stderr).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
    expect(r.stderr).toContain('README.md#scaling-out-and-gpus');
    expect(r.stderr).not.toMatch(/\[E:onnxruntime/); // onnxruntime's own native error line is suppressed
    expect(jsonLogLines(r.stderr)).toEqual([]);
  });
});

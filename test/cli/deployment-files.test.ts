import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const read = (f: string): string => fs.readFileSync(path.join(ROOT, f), 'utf8');

/** No Docker engine runs here: these are static checks of what can be checked without one. */
describe('deployment files', () => {
  it('compose file parses and wires api, redis and workers to one volume and REDIS_URL', () => {
    // compose resolves << merge keys; the test walks the parsed document freely
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const compose = parse(read('docker-compose.yml'), { merge: true }) as any;
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'redis', 'worker']);
    for (const name of ['api', 'worker']) {
      const svc = compose.services[name];
      expect(svc.environment.REDIS_URL).toBe('redis://redis:6379');
      expect(svc.volumes).toContain('medsr-data:/data');
      expect(svc.depends_on.redis.condition).toBe('service_healthy');
    }
    expect(compose.services.worker.command).toEqual(['worker']);
    expect(compose.services.api.command[0]).toBe('serve');
    expect(Object.keys(compose.volumes)).toContain('medsr-data');
  });

  it('Dockerfile has cpu and gpu targets, installs the CUDA provider at build time, runs non-root with a healthcheck', () => {
    const dockerfile = read('Dockerfile');
    const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gm)].map((m) => m[1]);
    expect(stages).toEqual(expect.arrayContaining(['build', 'gpu-libs', 'cpu', 'gpu']));
    expect(dockerfile).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12 node script\/install\.js/);
    expect(dockerfile).toMatch(/cudnn/);
    for (const target of ['cpu', 'gpu']) {
      const stage = dockerfile.split(/^FROM /m).find((s) => new RegExp(`AS ${target}\\s*$`, 'm').test(s.split('\n')[0] ?? ''))!;
      expect(stage).toMatch(/^USER node$/m);
      expect(stage).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    }
    // every path the image copies from the context is one .dockerignore lets through
    const ignored = read('.dockerignore').split('\n').filter((l) => l && !l.startsWith('#'));
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    for (const src of copied) expect(ignored).not.toContain(src);
  });
});

import path from 'node:path';
import { parseConfig, DEFAULT_MODEL_DIR } from '../../src/shared/config';
import { MedsrError } from '../../src/shared/errors';

describe('parseConfig', () => {
  it('applies defaults to an empty environment', () => {
    const c = parseConfig({});
    expect(c.port).toBe(8080);
    expect(c.device).toBe('auto');
    expect(c.modelDir).toBe(DEFAULT_MODEL_DIR);
    expect(c.redisUrl).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('coerces and resolves values', () => {
    const c = parseConfig({ MEDSR_PORT: '9000', MEDSR_DATA_DIR: 'rel/dir', REDIS_URL: 'redis://127.0.0.1:6390' });
    expect(c.port).toBe(9000);
    expect(c.dataDir).toBe(path.resolve('rel/dir'));
    expect(c.redisUrl).toBe('redis://127.0.0.1:6390');
  });

  it('names every bad variable in one typed error', () => {
    let caught: unknown;
    try {
      parseConfig({ MEDSR_PORT: 'eighty', MEDSR_DEVICE: 'tpu' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MedsrError);
    const err = caught as MedsrError;
    expect(err.code).toBe('config.invalid');
    expect(err.message).toContain('MEDSR_PORT');
    expect(err.message).toContain('MEDSR_DEVICE');
  });
});

describe('per-upload archive limits', () => {
  it('default to 16 GiB inflated and 200,000 entries, and can be set', () => {
    expect(parseConfig({})).toMatchObject({ maxUploadInflatedBytes: 16 * 1024 ** 3, maxUploadEntries: 200_000 });
    expect(parseConfig({ MEDSR_MAX_UPLOAD_INFLATED_BYTES: '1000000', MEDSR_MAX_UPLOAD_ENTRIES: '50' })).toMatchObject({ maxUploadInflatedBytes: 1_000_000, maxUploadEntries: 50 });
    expect(() => parseConfig({ MEDSR_MAX_UPLOAD_INFLATED_BYTES: '-1' })).toThrow(MedsrError);
  });
});

describe('host allow-list and sessions', () => {
  it('allows the loopback names by default, adds MEDSR_ALLOWED_HOSTS, and refuses a value with a port', () => {
    expect(parseConfig({}).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(parseConfig({ MEDSR_ALLOWED_HOSTS: ' Medsr.LAN, 192.168.1.5 ,' }).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]', 'medsr.lan', '192.168.1.5']);
    expect(() => parseConfig({ MEDSR_ALLOWED_HOSTS: 'medsr.lan:8080' })).toThrow(/MEDSR_ALLOWED_HOSTS/);
    expect(parseConfig({}).sessionHours).toBe(12);
    expect(parseConfig({ MEDSR_SESSION_HOURS: '0.5' }).sessionHours).toBe(0.5);
  });

  it('takes an empty variable as unset (docker-compose passes unset ones as "")', () => {
    const c = parseConfig({ MEDSR_API_KEY: '', MEDSR_ALLOWED_HOSTS: '' });
    expect(c.apiKey).toBeUndefined();
    expect(c.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
  });
});

/**
 * The one definition of the upscale options, and the parsers built from it: at every bound the
 * API's zod schema, the CLI's commander parser and the pipeline's check give the same answer.
 */
import { UpscaleOptionsSchema } from '../../src/api/schemas';
import { limitedOption, scaleOption } from '../../src/cli/options';
import { SCHEDULER_NAMES as PIPELINE_SCHEDULERS } from '../../src/pipeline/schedulers';
import { describeLimit, SCALES, SCHEDULER_NAMES, UPSCALE_LIMITS, upscaleOptionCatalog, withinLimit, type LimitedOption } from '../../src/shared/upscale-options';

const accepts = {
  api: (option: LimitedOption, value: number) => UpscaleOptionsSchema.safeParse({ [option]: String(value) }).success,
  cli: (option: LimitedOption, value: number) => {
    try {
      limitedOption(option)(String(value));
      return true;
    } catch {
      return false;
    }
  },
  pipeline: withinLimit,
};

describe('upscale options: one definition', () => {
  it.each(Object.keys(UPSCALE_LIMITS) as LimitedOption[])('%s: API, CLI and pipeline agree at and beyond its bounds', (option) => {
    const [min, max] = UPSCALE_LIMITS[option];
    const cases: Array<[number, boolean]> = [[min, true], [max, true], [min - 1, false], [max + 1, false]];
    if (option !== 'guidance') cases.push([min + 0.5, false]);
    for (const [value, ok] of cases) {
      for (const [who, check] of Object.entries(accepts)) expect([who, value, check(option, value)]).toEqual([who, value, ok]);
    }
  });

  it('scales, and the scheduler names the pipeline registers, come from the same lists', () => {
    for (const s of SCALES) expect(scaleOption(String(s))).toBe(s);
    expect(() => scaleOption('3')).toThrow('scale must be 2 or 4');
    expect([...PIPELINE_SCHEDULERS]).toEqual([...SCHEDULER_NAMES]);
    expect(UpscaleOptionsSchema.safeParse({ scheduler: 'euler' }).success).toBe(false);
  });

  it('describes bounds in words and lists them for GET /api/v1/options', () => {
    expect(describeLimit('samples')).toBe('an integer in 1..16');
    expect(describeLimit('guidance')).toBe('a number in 0..50');
    const catalog = upscaleOptionCatalog();
    expect(catalog.limits.samples).toEqual([...UPSCALE_LIMITS.samples]);
    expect(catalog.choices.scheduler).toEqual([...SCHEDULER_NAMES]);
    expect(catalog.defaults.steps).toBeNull();
  });
});

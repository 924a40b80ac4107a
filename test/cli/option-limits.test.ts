/**
 * The CLI refuses an upscale option outside the shared limits (shared/upscale-options) while
 * parsing its flags, with the option's name and bounds and a non-zero exit: before a model is
 * loaded or a file read, and by the same bounds the API and the pipeline apply.
 */
import { UPSCALE_LIMITS } from '../../src/shared/upscale-options';
import { makeTempDir, pydicom } from '../ingest/helpers';
import { ensureBuilt, medsr } from './helpers/run-medsr';

const tmp = makeTempDir('medsr-option-limits-');
beforeAll(ensureBuilt);

describe('upscale option limits at the CLI', () => {
  it('`medsr eval --samples 40` fails at the parser, naming samples and its bounds', () => {
    expect(40).toBeGreaterThan(UPSCALE_LIMITS.samples[1]);
    const run = medsr(['eval', pydicom('MR_small.dcm'), '--scale', '2', '--samples', '40', '--out', tmp]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("option '--samples <k>' argument '40' is invalid");
    expect(run.stderr).toContain(`samples must be an integer in ${UPSCALE_LIMITS.samples[0]}..${UPSCALE_LIMITS.samples[1]}`);
    expect(run.stdout).not.toContain('eval.json'); // nothing ran
  });

  it.each([
    [['upscale', '--samples', '17'], 'samples must be an integer in 1..16'],
    [['batch', '--steps', '201'], 'steps must be an integer in 1..200'],
    [['upscale', '--guidance', '51'], 'guidance must be a number in 0..50'],
    [['upscale', '--seed', '-1'], 'seed must be an integer in 0..4294967295'],
    [['upscale', '--scheduler', 'euler'], 'Allowed choices are ddim, ddpm, dpmsolver++'],
    [['upscale', '--degradation', 'sinc'], 'Allowed choices are auto, kspace, area, bicubic'],
    [['upscale', '--device', 'tpu'], 'device must be one of auto, cpu, cuda, webgpu'],
    [['eval', '--scale', '3'], 'scale must be 2 or 4'],
  ])('medsr %j is refused: %s', (args, message) => {
    const [command, ...flags] = args as string[];
    const run = medsr([command!, pydicom('MR_small.dcm'), ...(command === 'eval' ? [] : ['--out', tmp]), ...(command === 'eval' && !flags.includes('--scale') ? ['--scale', '2'] : []), ...flags]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(message);
  });
});

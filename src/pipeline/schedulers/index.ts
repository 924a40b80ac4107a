import { MedsrError } from '../../shared/errors';
import { SCHEDULER_NAMES, type SchedulerName } from '../../shared/upscale-options';
import type { SchedulerConfig } from '../manifest';
import { DdimScheduler } from './ddim-scheduler';
import { DdpmScheduler } from './ddpm-scheduler';
import { DpmSolverMultistepScheduler } from './dpm-solver-multistep-scheduler';
import type { NoiseScheduleConfig, Scheduler } from './scheduler';

export type { Scheduler, NoiseScheduleConfig, PredictionType } from './scheduler';
export { alphasCumprod, trailingTimesteps, predictX0AndEps } from './noise-schedule';

// keyed by the shared list of names: a sampler added here without its name there fails to compile
const SCHEDULERS: Record<SchedulerName, new (c: NoiseScheduleConfig) => Scheduler> = {
  ddim: DdimScheduler,
  ddpm: DdpmScheduler,
  'dpmsolver++': DpmSolverMultistepScheduler,
};

export { SCHEDULER_NAMES };

/** Canonical scheduler name: lowercase, with the usual spellings of DPM-Solver++ accepted. */
export function normaliseSchedulerName(name: string): string {
  const key = name.trim().toLowerCase();
  return ['dpm-solver++', 'dpmpp', 'dpmpp_2m', 'dpmsolver++(2m)'].includes(key) ? 'dpmsolver++' : key;
}

/** A fresh scheduler by name (default: the manifest's `scheduler.type`) over the manifest's noise schedule. */
export function createScheduler(config: SchedulerConfig, name: string = config.type): Scheduler {
  const key = normaliseSchedulerName(name);
  const Ctor = (SCHEDULERS as Record<string, (typeof SCHEDULERS)[SchedulerName] | undefined>)[key];
  if (!Ctor) throw new MedsrError('invalid_input', 'scheduler.unknown', `unknown scheduler '${name}' (have: ${SCHEDULER_NAMES.join(', ')})`);
  return new Ctor(config);
}

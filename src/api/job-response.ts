import type { JobView } from '../service/jobs/job-service';

/** A job as the API answers it: JobView less what only the engine uses. */
export type JobResponse = Omit<JobView, 'currentSliceFraction' | 'slices'> & { slices: Array<Omit<JobView['slices'][number], 'resultKey' | 'uncertaintyKey'>> };

/**
 * Shapes a job for the API (schemas.ts JobSchema): storage keys are the server's business (clients
 * get result URLs from /results), and the running slice's fraction is already inside `progress`.
 */
export function jobResponse(job: JobView): JobResponse {
  const { currentSliceFraction: _fraction, slices, ...rest } = job;
  return { ...rest, slices: slices.map(({ resultKey: _result, uncertaintyKey: _uncertainty, ...slice }) => slice) };
}

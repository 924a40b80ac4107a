import { MedsrError } from '../shared/errors';

/**
 * Bounds synchronous work: at most `concurrency` run, at most `maxWaiting` wait; the rest are
 * refused at once with 503 + Retry-After instead of queueing without limit (and running out of
 * memory holding their bodies).
 */
export interface Admission {
  /** Resolves with a release function once a slot is free; throws overloaded when full. */
  acquire(): Promise<() => void>;
  readonly running: number;
  readonly waiting: number;
}

export function createAdmission(options: { concurrency: number; maxWaiting: number; retryAfterSeconds?: number }): Admission {
  let running = 0;
  const waiters: Array<() => void> = [];
  const release = (): void => {
    running--;
    const next = waiters.shift();
    if (next) {
      running++;
      next();
    }
  };
  return {
    async acquire() {
      if (running < options.concurrency) {
        running++;
        return once(release);
      }
      if (waiters.length >= options.maxWaiting) {
        throw new MedsrError('overloaded', 'upscale.busy', `server busy: ${running} running, ${waiters.length} waiting`, {
          retryAfterSeconds: options.retryAfterSeconds ?? 5,
        });
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
      return once(release);
    },
    get running() {
      return running;
    },
    get waiting() {
      return waiters.length;
    },
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

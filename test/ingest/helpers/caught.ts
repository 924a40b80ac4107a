import { MedsrError } from '../../../src/shared/errors';

/** The MedsrError `fn` throws (anything else is rethrown; not throwing fails the test). */
export function caught(fn: () => unknown): MedsrError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MedsrError) return err;
    throw err;
  }
  throw new Error('expected a MedsrError');
}

import { MedsrError } from '../../../src/shared/errors';

/** The MedsrError a promise rejects with (fails the test when it resolves or rejects with anything else). */
export async function rejection(p: Promise<unknown>): Promise<MedsrError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MedsrError);
    return err as MedsrError;
  }
  throw new Error('expected a rejection');
}

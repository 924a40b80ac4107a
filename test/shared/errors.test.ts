import { MedsrError, toMedsrError, httpStatusOf, exitCodeOf } from '../../src/shared/errors';

describe('MedsrError', () => {
  it('maps kinds to HTTP status and exit code in one table', () => {
    const e = new MedsrError('invalid_input', 'dicom.not_dicom', 'not a DICOM file', { file: 'a.txt' });
    expect(e.httpStatus).toBe(400);
    expect(e.exitCode).toBe(65);
    expect(httpStatusOf('too_large')).toBe(413);
    expect(httpStatusOf('overloaded')).toBe(503);
    expect(exitCodeOf('internal')).toBe(70);
    expect(e.toJSON()).toEqual({ code: 'dicom.not_dicom', kind: 'invalid_input', message: 'not a DICOM file', details: { file: 'a.txt' } });
  });

  it('wraps foreign errors as internal and keeps MedsrErrors', () => {
    const own = new MedsrError('not_found', 'job.not_found', 'no such job');
    expect(toMedsrError(own)).toBe(own);
    const wrapped = toMedsrError(new TypeError('boom'), { details: { file: 'x' } });
    expect(wrapped.kind).toBe('internal');
    expect(wrapped.message).toBe('boom');
    expect(wrapped.details.file).toBe('x');
  });
});

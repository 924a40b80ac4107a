/** When a series counts as complete (fake timers: the rule itself, without waiting for real time). */
import { createSeriesIdleTracker } from '../../src/service/autoroute/series-idle';

describe('series idle tracker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands a series on once, idleMs after its last instance', () => {
    const idle: string[] = [];
    const tracker = createSeriesIdleTracker(1000, (study, series) => idle.push(`${study}/${series}`));
    tracker.noteArrival('1', '1.1');
    jest.advanceTimersByTime(900);
    tracker.noteArrival('1', '1.1'); // a new instance restarts the wait
    tracker.noteArrival('1', '1.2');
    jest.advanceTimersByTime(999);
    expect(idle).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(idle.sort()).toEqual(['1/1.1', '1/1.2']);
    jest.advanceTimersByTime(10_000);
    expect(idle).toHaveLength(2);
    expect(tracker.pending()).toBe(0);
  });

  it('does not call a series complete while an instance is still being received', () => {
    const idle: string[] = [];
    const tracker = createSeriesIdleTracker(1000, (study, series) => idle.push(`${study}/${series}`));
    tracker.noteArrival('1', '1.1');
    const done = tracker.receiving(); // a slow store: its series is not known yet
    jest.advanceTimersByTime(5000);
    expect(idle).toEqual([]);
    done();
    jest.advanceTimersByTime(1000);
    expect(idle).toEqual(['1/1.1']);
  });

  it('forgets the series of a deleted study', () => {
    const idle: string[] = [];
    const tracker = createSeriesIdleTracker(1000, (study, series) => idle.push(`${study}/${series}`));
    tracker.noteArrival('1', '1.1');
    tracker.noteArrival('2', '2.1');
    tracker.forgetStudy('1');
    jest.advanceTimersByTime(1000);
    expect(idle).toEqual(['2/2.1']);
  });
});

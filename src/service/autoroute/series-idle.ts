/**
 * Decides when a series is complete: no new instance for `idleMs`. Each arrival restarts the
 * series' timer; when it fires the series is handed on once. While an instance is still being
 * received (its series not known yet) no series counts as idle: a slow store does not split a
 * series in two.
 */
export interface SeriesIdleTracker {
  noteArrival(studyUID: string, seriesUID: string): void;
  /** An instance started arriving; call the returned function once it is stored (or refused). */
  receiving(): () => void;
  forgetStudy(studyUID: string): void;
  /** Series still waiting for their idle time. */
  pending(): number;
  close(): void;
}

export function createSeriesIdleTracker(idleMs: number, onIdle: (studyUID: string, seriesUID: string) => void): SeriesIdleTracker {
  const timers = new Map<string, { study: string; timer: NodeJS.Timeout }>();
  let inFlight = 0;
  const arm = (studyUID: string, seriesUID: string): void => {
    const key = `${studyUID}/${seriesUID}`;
    const existing = timers.get(key);
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      if (inFlight > 0) return arm(studyUID, seriesUID); // maybe one of ours: wait a full idle time more
      timers.delete(key);
      onIdle(studyUID, seriesUID);
    }, idleMs);
    timers.set(key, { study: studyUID, timer });
  };
  return {
    noteArrival: arm,
    receiving() {
      inFlight += 1;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        inFlight -= 1;
      };
    },
    forgetStudy(studyUID) {
      for (const [key, entry] of timers) {
        if (entry.study !== studyUID) continue;
        clearTimeout(entry.timer);
        timers.delete(key);
      }
    },
    pending: () => timers.size,
    close() {
      for (const { timer } of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}

/**
 * Decides when a series is complete: no new instance for `idleMs`. Each arrival restarts the
 * series' timer; when it fires the series is handed on once.
 */
export interface SeriesIdleTracker {
  noteArrival(studyUID: string, seriesUID: string): void;
  forgetStudy(studyUID: string): void;
  /** Series still waiting for their idle time. */
  pending(): number;
  close(): void;
}

export function createSeriesIdleTracker(idleMs: number, onIdle: (studyUID: string, seriesUID: string) => void): SeriesIdleTracker {
  const timers = new Map<string, { study: string; timer: NodeJS.Timeout }>();
  return {
    noteArrival(studyUID, seriesUID) {
      const key = `${studyUID}/${seriesUID}`;
      const existing = timers.get(key);
      if (existing) clearTimeout(existing.timer);
      const timer = setTimeout(() => {
        timers.delete(key);
        onIdle(studyUID, seriesUID);
      }, idleMs);
      timers.set(key, { study: studyUID, timer });
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

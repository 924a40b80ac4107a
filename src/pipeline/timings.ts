/** Milliseconds per stage, summed over a run (tiles, samples and steps add up). */
export class StageTimer {
  readonly totals: Record<string, number> = {};

  async time<T>(stage: string, work: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.add(stage, performance.now() - start);
    }
  }

  add(stage: string, ms: number): void {
    this.totals[stage] = (this.totals[stage] ?? 0) + ms;
  }

  count(counter: string, n = 1): void {
    this.totals[counter] = (this.totals[counter] ?? 0) + n;
  }
}

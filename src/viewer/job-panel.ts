import { type JobStatus, type SeriesSummary, cancelJob, getJob, startJob, watchJob } from './api-client';
import { $, plainError } from './dom';

/** The job form (pre-filled from the series), live progress over SSE, cancel, plain-word errors. */
export class JobPanel {
  private series: SeriesSummary | undefined;
  private job: JobStatus | undefined;
  private stopWatching: (() => void) | undefined;
  private readonly form = $('#job-form') as HTMLFormElement;
  private readonly startButton = $('#start-job') as HTMLButtonElement;
  private readonly cancelButton = $('#cancel-job') as HTMLButtonElement;
  private readonly progress = $('#job-progress') as HTMLProgressElement;
  private readonly status = $('#job-status');

  constructor(private readonly onFinished: (job: JobStatus, series: SeriesSummary) => void) {
    this.form.addEventListener('submit', (e) => { e.preventDefault(); void this.start(); });
    this.cancelButton.addEventListener('click', () => void this.cancel());
  }

  setSeries(series: SeriesSummary): void {
    this.series = series;
    this.field('prompt').value = series.prompt ?? '';
    this.startButton.disabled = this.isRunning();
    if (!this.isRunning()) this.say('', '');
  }

  private field(name: string): HTMLInputElement {
    return this.form.elements.namedItem(name) as HTMLInputElement;
  }

  private isRunning(): boolean { return this.job?.state === 'queued' || this.job?.state === 'running'; }

  private async start(): Promise<void> {
    const series = this.series;
    if (!series || this.isRunning()) return;
    const num = (name: string) => { const v = this.field(name).value; return v === '' ? undefined : Number(v); };
    this.startButton.disabled = true;
    this.say('Starting…', '');
    try {
      const job = await startJob({
        seriesInstanceUID: series.seriesInstanceUID,
        scale: num('scale') === 4 ? 4 : 2,
        steps: num('steps'), samples: num('samples'), seed: num('seed'),
        prompt: this.field('prompt').value.trim() || undefined,
      });
      this.update(job, series);
      this.stopWatching = watchJob(job.id, (j) => this.update(j, series));
    } catch (err) {
      this.startButton.disabled = false;
      this.say(`Could not start: ${plainError(err)}`, 'error');
    }
  }

  private async cancel(): Promise<void> {
    if (!this.job) return;
    try {
      await cancelJob(this.job.id);
      this.update(await getJob(this.job.id), this.series);
    } catch (err) {
      this.say(`Could not cancel: ${plainError(err)}`, 'error');
    }
  }

  private update(job: JobStatus, series: SeriesSummary | undefined): void {
    const previous = this.job?.state;
    this.job = job;
    const running = this.isRunning();
    this.progress.hidden = !running;
    this.progress.value = job.progress ?? 0;
    this.cancelButton.hidden = !running;
    this.startButton.disabled = running || !this.series;
    if (running) {
      this.say(job.state === 'queued' ? 'Waiting in the queue…' : `Reconstructing… ${Math.round((job.progress ?? 0) * 100)}%`, '');
      return;
    }
    this.stopWatching?.();
    if (job.state === 'succeeded') {
      const failed = job.result?.failures?.length ?? 0;
      this.say(failed ? `Done, but ${failed} slice${failed === 1 ? '' : 's'} failed.` : 'Done.', failed ? 'error' : 'ok');
      if (previous !== 'succeeded' && series) this.onFinished(job, series);
    } else if (job.state === 'cancelled') {
      this.say('Cancelled.', '');
    } else {
      this.say(`Failed: ${job.error?.message ?? 'the server gave no reason.'}`, 'error');
    }
  }

  private say(text: string, kind: '' | 'ok' | 'error'): void {
    this.status.textContent = text;
    this.status.className = `status ${kind}`;
  }
}

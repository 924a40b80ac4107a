import { FINAL_STATES, type DegradationMode, type Job, type ResamplerName, type Series, type UpscaleOptionCatalog, cancelJob, getJob, startJob, watchJob } from './api-client';
import { $, plainError } from './dom';

/** The job form (pre-filled from the series), live progress over SSE, cancel, plain-word errors. */
export class JobPanel {
  private series: Series | undefined;
  private job: Job | undefined;
  private stopWatching: (() => void) | undefined;
  /** When this page first saw the job running, and how far it was then: the base of the ETA. */
  private etaBase: { jobId: string; at: number; fraction: number } | undefined;
  private readonly form = $('#job-form') as HTMLFormElement;
  private readonly startButton = $('#start-job') as HTMLButtonElement;
  private readonly cancelButton = $('#cancel-job') as HTMLButtonElement;
  private readonly progress = $('#job-progress') as HTMLProgressElement;
  private readonly status = $('#job-status');

  constructor(private readonly onFinished: (job: Job, series: Series) => void) {
    this.form.addEventListener('submit', (e) => { e.preventDefault(); void this.start(); });
    this.cancelButton.addEventListener('click', () => void this.cancel());
  }

  /**
   * Fills the form with the server's defaults and bounds (the CLI's and API's): one source for all
   * three. The prompt's length is left to the server, whose refusal the form explains in words.
   */
  applyOptions({ defaults, limits }: UpscaleOptionCatalog): void {
    (this.form.elements.namedItem('scale') as HTMLSelectElement).value = String(defaults.scale);
    for (const name of ['steps', 'samples', 'seed', 'guidance'] as const) {
      const input = this.field(name);
      [input.min, input.max] = limits[name].map(String) as [string, string];
      const value = defaults[name];
      input.value = value === null ? '' : String(value);
      if (value === null) input.placeholder = 'model default';
    }
  }

  setSeries(series: Series): void {
    this.series = series;
    // pre-filled with the prompt the server built from the metadata; editable, and an emptied
    // field means "build it from the metadata" again
    this.field('prompt').value = series.prompt ?? '';
    this.field('prompt').placeholder = `automatic, from the DICOM metadata (${series.modality}${series.description ? `, ${series.description}` : ''})`;
    this.startButton.disabled = this.isRunning();
    if (!this.isRunning()) this.say('', '');
  }

  private field(name: string): HTMLInputElement {
    return this.form.elements.namedItem(name) as HTMLInputElement;
  }

  private isRunning(): boolean { return !!this.job && !FINAL_STATES.has(this.job.state); }

  private async start(): Promise<void> {
    const series = this.series;
    if (!series || this.isRunning()) return;
    // an empty field is left out of the options (the server's default), not sent as undefined
    const num = (name: 'steps' | 'samples' | 'seed' | 'guidance'): { [K in typeof name]?: number } => {
      const v = this.field(name).value;
      return v === '' ? {} : { [name]: Number(v) };
    };
    const prompt = this.field('prompt').value.trim();
    this.startButton.disabled = true;
    this.say('Starting…', '');
    try {
      const job = await startJob(series.studyInstanceUID, series.seriesInstanceUID, {
        scale: this.field('scale').value === '4' ? 4 : 2,
        ...num('steps'), ...num('samples'), ...num('seed'), ...num('guidance'),
        degradation: (this.form.elements.namedItem('degradation') as HTMLSelectElement).value as DegradationMode,
        resampler: (this.form.elements.namedItem('resampler') as HTMLSelectElement).value as ResamplerName,
        ...(prompt ? { prompt } : {}),
      });
      this.update(job, series);
      this.stopWatching = watchJob(job.id, (j) => this.update(j, series),
        (err) => this.say(`Lost contact with the server: ${plainError(err)}`, 'error'));
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

  private update(job: Job, series: Series | undefined): void {
    const previous = this.job?.state;
    this.job = job;
    const running = this.isRunning();
    this.progress.hidden = !running;
    this.progress.value = job.progress.fraction;
    this.cancelButton.hidden = !running;
    this.startButton.disabled = running || !this.series;
    if (running) {
      const { done, failed, total, fraction } = job.progress;
      this.say(job.state === 'queued' ? 'Waiting in the queue…'
        : `Reconstructing… slice ${Math.min(total, done + failed + 1)} of ${total} (${Math.round(fraction * 100)}%${this.eta(job)})`, '');
      return;
    }
    this.stopWatching?.();
    performance.mark('medsr:job-final'); // read by scripts/bench-viewer.js
    if (job.state === 'succeeded' || job.state === 'partial') {
      const failed = job.progress.failed;
      const warning = job.warnings?.[0];
      this.say(failed ? `Done, but ${failed} slice${failed === 1 ? '' : 's'} failed: ${firstError(job)}`
        : warning ? `Done, but its slices took different paths (${describePaths(warning.paths)}): the detector was unsure how this series was made, and the slices sit on different pixel grids. If you know, choose it under "Input made by" and run again.`
        : 'Done.', failed ? 'error' : warning ? 'warn' : 'ok');
      if (previous !== job.state && series) this.onFinished(job, series);
    } else if (job.state === 'cancelled') {
      this.say('Cancelled.', '');
    } else {
      this.say(`Failed: ${firstError(job)}`, 'error');
    }
  }

  /** `, about 40 s left` from the rate seen since this page first saw the job run; empty until known. */
  private eta(job: Job): string {
    const now = performance.now();
    if (job.state !== 'running') return '';
    if (this.etaBase?.jobId !== job.id) {
      this.etaBase = { jobId: job.id, at: now, fraction: job.progress.fraction };
      return '';
    }
    const gained = job.progress.fraction - this.etaBase.fraction;
    const elapsed = (now - this.etaBase.at) / 1000;
    if (gained < 0.02 || elapsed < 1) return '';
    const left = Math.max(1, Math.round(((1 - job.progress.fraction) * elapsed) / gained));
    return left < 90 ? `, about ${left} s left` : `, about ${Math.round(left / 60)} min left`;
  }

  private say(text: string, kind: '' | 'ok' | 'warn' | 'error'): void {
    this.status.textContent = text;
    this.status.className = `status ${kind}`;
  }
}

/** "kspace 8, bicubic 4": the slices per path of a mixed-paths warning, most first (the API's own order). */
function describePaths(paths: Partial<Record<DegradationMode, number>>): string {
  return Object.entries(paths).map(([path, n]) => `${path} ${n}`).join(', ');
}

function firstError(job: Job): string {
  const error = job.error ?? job.slices?.find((s) => s.error)?.error;
  return error?.message ?? 'the server gave no reason.';
}

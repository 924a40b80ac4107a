import { type Job, type Series, listJobs } from './api-client';
import { $, h, plainError } from './dom';

const describe = (job: Job): string => {
  const o = job.options;
  const parts = [`${o.scale}×`, o.steps ? `${o.steps} step${o.steps === 1 ? '' : 's'}` : '', o.samples ? `${o.samples} sample${o.samples === 1 ? '' : 's'}` : ''];
  return parts.filter(Boolean).join(', ');
};

const when = (iso: string | undefined): string => (iso ? new Date(iso).toLocaleString() : '');

/**
 * The jobs made from the selected series, newest first, read from the server (jobs live on its
 * disk, so the history is the same after a reload); a finished one can be opened again.
 */
export class JobHistory {
  private series: Series | undefined;

  constructor(private readonly onOpen: (job: Job, series: Series) => void) {}

  async show(series: Series | undefined): Promise<void> {
    this.series = series;
    const list = $('#job-history');
    const empty = $('#job-history-empty');
    if (!series) {
      list.replaceChildren();
      empty.hidden = false;
      return;
    }
    let jobs: Job[];
    try {
      jobs = await listJobs();
    } catch (err) {
      empty.hidden = false;
      empty.textContent = `Could not read the job history: ${plainError(err)}`;
      return;
    }
    if (this.series !== series) return; // another series was picked meanwhile
    const mine = jobs
      .filter((j) => j.studyInstanceUID === series.studyInstanceUID && j.outputs.some((o) => o.sourceSeriesInstanceUID === series.seriesInstanceUID))
      .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
    empty.hidden = mine.length > 0;
    empty.textContent = 'None yet.';
    list.replaceChildren(...mine.map((job) => this.item(job, series)));
  }

  private item(job: Job, series: Series): HTMLElement {
    const label = h('span', { class: `state-${job.state}`, text: `${when(job.createdAt)} · ${describe(job)} · ${job.state}` });
    const li = h('li', { 'data-job': job.id }, label);
    if (job.state === 'succeeded' || job.state === 'partial') {
      const open = h('button', { type: 'button', class: 'ghost', text: 'Open', title: 'Show this result beside the original' });
      open.addEventListener('click', () => this.onOpen(job, series));
      li.append(open);
    }
    return li;
  }
}

import * as api from './api-client';
import { CompareView, type CompareMode } from './compare-view';
import { setUpCornerstone } from './cornerstone-setup';
import { imageIdFor } from './dicom-loader';
import { $, h, plainError } from './dom';
import { JobPanel } from './job-panel';
import { PRESETS } from './presets';
import { bindShortcuts } from './shortcuts';
import { saveBlob, snapshotPng } from './snapshot';
import { renderStudies } from './study-list';
import { setUpUpload } from './upload-panel';

/** The viewer page: upload -> pick a series -> run a job -> compare. Wires the panels together. */

interface State { studies: api.StudySummary[]; series?: api.SeriesSummary; derived?: api.SeriesSummary; job?: api.JobStatus }
const state: State = { studies: [] };

function imageIdsOf(series: api.SeriesSummary): string[] {
  const sorted = [...series.instances].sort((a, b) => (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0));
  return sorted.flatMap((inst) => Array.from({ length: Math.max(1, inst.frames ?? 1) },
    (_, frame) => imageIdFor(api.instanceUrl(series.seriesInstanceUID, inst.sopInstanceUID), frame)));
}

function start(): void {
  setUpCornerstone();
  const view = new CompareView($('#compare'));
  const status = $('#job-status');
  const select = (series: api.SeriesSummary) => {
    state.series = series;
    state.derived = undefined;
    jobs.setSeries(series);
    setMode('side');
    setDownloads(undefined);
    view.showOriginal(imageIdsOf(series)).catch((err: unknown) => {
      status.className = 'status error';
      status.textContent = `Cannot show this series: ${plainError(err)}`;
    });
  };
  const refresh = async () => {
    state.studies = await api.listStudies();
    renderStudies(state.studies, state.series?.seriesInstanceUID, select);
  };
  const jobs = new JobPanel((job, series) => void showResult(job, series));
  const showResult = async (job: api.JobStatus, series: api.SeriesSummary) => {
    if (!job.result || state.series?.seriesInstanceUID !== series.seriesInstanceUID) return;
    try {
      const derived = await api.getSeries(job.result.derivedSeriesInstanceUID);
      const uncertainty = job.result.uncertaintySeriesInstanceUID
        ? await api.getSeries(job.result.uncertaintySeriesInstanceUID) : undefined;
      state.derived = derived;
      state.job = job;
      await view.showReconstruction(imageIdsOf(derived), uncertainty ? imageIdsOf(uncertainty) : []);
      ($('#uncertainty-toggle') as HTMLInputElement).disabled = !uncertainty;
      setDownloads(job);
    } catch (err) {
      status.className = 'status error';
      status.textContent = `The result could not be shown: ${plainError(err)}`;
    }
  };
  const setDownloads = (job: api.JobStatus | undefined) => {
    const zip = $('#download-zip') as HTMLAnchorElement;
    zip.classList.toggle('disabled', !job);
    if (job) zip.href = api.resultZipUrl(job.id); else zip.removeAttribute('href');
    updateDicomLink();
  };
  const updateDicomLink = () => {
    const link = $('#download-dicom') as HTMLAnchorElement;
    const sorted = state.derived ? [...state.derived.instances].sort((a, b) => (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0)) : [];
    const inst = sorted[Math.min(view.sliceIndex(), sorted.length - 1)];
    link.classList.toggle('disabled', !inst || !state.derived);
    if (inst && state.derived) {
      link.href = api.instanceUrl(state.derived.seriesInstanceUID, inst.sopInstanceUID);
      link.download = `reconstructed-${inst.instanceNumber ?? view.sliceIndex() + 1}.dcm`;
    } else link.removeAttribute('href');
  };
  view.left.el.addEventListener('cornerstonenewimage', updateDicomLink);

  const setMode = (mode: CompareMode) => {
    view.setMode(mode);
    document.querySelectorAll<HTMLElement>('[data-mode]').forEach((b) => {
      if (b.tagName === 'BUTTON') b.classList.toggle('active', b.dataset.mode === view.mode);
    });
  };
  document.querySelectorAll<HTMLButtonElement>('button[data-mode]').forEach((b) =>
    b.addEventListener('click', () => setMode(b.dataset.mode as CompareMode)));
  const presetBar = $('#preset-buttons');
  for (const preset of PRESETS) {
    const b = h('button', { text: preset.label, title: `${preset.label} (${preset.key})`, 'data-preset': preset.id });
    b.addEventListener('click', () => view.applyPreset(preset));
    presetBar.append(b);
  }
  const toggle = $('#uncertainty-toggle') as HTMLInputElement;
  const opacity = $('#uncertainty-opacity') as HTMLInputElement;
  const applyUncertainty = () => view.setUncertainty(toggle.checked, Number(opacity.value));
  toggle.addEventListener('change', applyUncertainty);
  opacity.addEventListener('input', applyUncertainty);
  $('#reset-view').addEventListener('click', () => view.reset());
  const png = () => void snapshotPng(view).then((b) => saveBlob(b, 'medsr-view.png'), (err: unknown) => {
    status.className = 'status error';
    status.textContent = plainError(err);
  });
  $('#download-png').addEventListener('click', png);
  const help = $('#help-dialog') as HTMLDialogElement;
  $('#help-button').addEventListener('click', () => help.showModal());

  bindShortcuts([
    { keys: ['ArrowUp', 'k'], label: 'Previous slice', run: () => void view.scrollTo(view.sliceIndex() - 1) },
    { keys: ['ArrowDown', 'j'], label: 'Next slice', run: () => void view.scrollTo(view.sliceIndex() + 1) },
    { keys: ['PageUp'], label: '10 slices back', run: () => void view.scrollTo(view.sliceIndex() - 10) },
    { keys: ['PageDown'], label: '10 slices on', run: () => void view.scrollTo(view.sliceIndex() + 10) },
    { keys: ['Home'], label: 'First slice', run: () => void view.scrollTo(0) },
    { keys: ['End'], label: 'Last slice', run: () => void view.scrollTo(Number.MAX_SAFE_INTEGER) },
    ...PRESETS.map((p) => ({ keys: [p.key], label: `Window: ${p.label}`, run: () => view.applyPreset(p) })),
    { keys: ['c'], label: 'Side by side', run: () => setMode('side') },
    { keys: ['s'], label: 'Swipe', run: () => setMode('swipe') },
    { keys: ['d'], label: 'Difference map', run: () => setMode('difference') },
    { keys: ['u'], label: 'Uncertainty overlay on/off', run: () => { toggle.checked = !toggle.checked; applyUncertainty(); } },
    { keys: ['r'], label: 'Reset zoom, pan and window', run: () => view.reset() },
    { keys: ['p'], label: 'Save a PNG snapshot', run: png },
    { keys: ['?', 'h'], label: 'This help', run: () => (help.open ? help.close() : help.showModal()) },
  ]);

  setUpUpload((result) => {
    const first = result.studies[0]?.series[0];
    void refresh().then(() => {
      const fresh = first && state.studies.flatMap((s) => s.series).find((s) => s.seriesInstanceUID === first.seriesInstanceUID);
      if (fresh) {
        document.querySelector<HTMLElement>(`[data-series="${CSS.escape(fresh.seriesInstanceUID)}"]`)?.click();
      }
    });
  });
  void refresh().catch(() => undefined);
  // A handle for the end-to-end tests and the benchmark; the page itself does not use it.
  (window as unknown as { medsrViewer: unknown }).medsrViewer = { view, state };
}

document.addEventListener('DOMContentLoaded', start);

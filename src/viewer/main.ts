import * as api from './api-client';
import { CompareView, type CompareMode } from './compare-view';
import { setUpCornerstone } from './cornerstone-setup';
import { imageIdFor } from './dicom-loader';
import { missingImageId } from './derived-images';
import { $, h, plainError } from './dom';
import { JobHistory } from './job-history';
import { JobPanel } from './job-panel';
import { PRESETS } from './presets';
import { bindShortcuts } from './shortcuts';
import { createSignIn } from './sign-in';
import { saveBlob, snapshotPng } from './snapshot';
import { renderStudies } from './study-list';
import { setUpUpload } from './upload-panel';

/** The viewer page: upload -> pick a series -> run a job -> compare. Wires the panels together. */

interface State {
  studies: api.Study[];
  /** patient, dates, accession and modalities per study, from QIDO-RS */
  headers: Map<string, api.StudyHeader>;
  search: string;
  details: Map<string, api.Series>;
  series?: api.Series;
  /** per image of the original stack: the derived instance holding it (undefined: none), for the DICOM download */
  derivedUrls: Array<string | undefined>;
  job?: api.Job;
}
const state: State = { studies: [], headers: new Map(), search: '', details: new Map(), derivedUrls: [] };

/** Slice order: InstanceNumber, then position along the normal; frames of one instance in order. */
function orderedInstances(series: api.Series): api.InstanceSummary[] {
  return [...series.instances].sort((a, b) => (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0)
    || (a.sliceLocation ?? 0) - (b.sliceLocation ?? 0));
}

function imageIdsOf(series: api.Series): string[] {
  return orderedInstances(series).flatMap((inst) => Array.from({ length: Math.max(1, inst.frames) },
    (_, frame) => imageIdFor(api.instanceUrl(series.studyInstanceUID, series.seriesInstanceUID, inst.sopInstanceUID), frame)));
}

/** One entry per image of the original stack (every frame of every instance, in slice order):
 * the result instance made from it and the frame, or undefined where the job made none (a
 * failed slice in a partial job). Results name the original they were made from. */
type ResultImage = { url: string; frame: number } | undefined;

function resultImagesInSliceOrder(results: api.JobResults, source: api.Series, kind: 'super-resolution' | 'uncertainty'): ResultImage[] {
  const entry = results.series.find((s) => s.kind === kind && s.sourceSeriesInstanceUID === source.seriesInstanceUID);
  if (!entry) return [];
  const bySource = new Map(entry.instances.map((i) => [i.sourceSopInstanceUID, i.url]));
  return orderedInstances(source).flatMap((inst) => {
    const url = bySource.get(inst.sopInstanceUID);
    return Array.from({ length: Math.max(1, inst.frames) }, (_, frame) => (url ? { url, frame } : undefined));
  });
}

/** Image ids for a result stack; images without a result get a blank stand-in sized like the others. */
function resultImageIds(images: ResultImage[]): string[] {
  const present = images.find((i) => i !== undefined);
  if (!present) return [];
  return images.map((i) => (i ? imageIdFor(i.url, i.frame) : missingImageId(imageIdFor(present.url, present.frame))));
}

function start(): void {
  api.onUnauthorized(createSignIn());
  setUpCornerstone();
  const view = new CompareView($('#compare'));
  const status = $('#job-status');
  const select = (series: api.Series) => {
    state.series = series;
    state.derivedUrls = [];
    jobs.setSeries(series);
    void history.show(series);
    setMode('side');
    setDownloads(undefined);
    view.showOriginal(imageIdsOf(series)).catch((err: unknown) => {
      status.className = 'status error';
      status.textContent = `Cannot show this series: ${plainError(err)}`;
    });
  };
  const refresh = async () => {
    state.studies = await api.listStudies();
    const headers = state.studies.flatMap((s) => s.series).filter((h) => !state.details.has(h.seriesInstanceUID));
    const details = await Promise.all(headers.map((h) => api.getSeries(h.studyInstanceUID, h.seriesInstanceUID)));
    for (const d of details) state.details.set(d.seriesInstanceUID, d);
    const found = await api.searchStudies().catch(() => [] as api.StudyHeader[]);
    state.headers = new Map(found.map((s) => [s.studyInstanceUID, s]));
    render();
  };
  const render = () => renderStudies(state.studies, state.headers, state.search, state.details, state.series?.seriesInstanceUID, select);
  const search = $('#study-search') as HTMLInputElement;
  search.addEventListener('input', () => {
    state.search = search.value;
    render();
  });
  const jobs = new JobPanel((job, series) => {
    void showResult(job, series);
    void history.show(state.series);
  });
  const history = new JobHistory((job, series) => void showResult(job, series));
  void api.getOptionCatalog().then((c) => jobs.applyOptions(c), () => undefined);
  const showResult = async (job: api.Job, series: api.Series) => {
    if (state.series?.seriesInstanceUID !== series.seriesInstanceUID) return;
    try {
      const results = await api.getJobResults(job.id);
      const derived = resultImagesInSliceOrder(results, series, 'super-resolution');
      const uncertainty = resultImagesInSliceOrder(results, series, 'uncertainty');
      const derivedIds = resultImageIds(derived);
      if (derivedIds.length === 0) throw new Error('the job produced no images');
      state.derivedUrls = derived.map((i) => i?.url);
      state.job = job;
      await view.showReconstruction(derivedIds, resultImageIds(uncertainty));
      ($('#uncertainty-toggle') as HTMLInputElement).disabled = uncertainty.length === 0;
      setDownloads(job);
    } catch (err) {
      status.className = 'status error';
      status.textContent = `The result could not be shown: ${plainError(err)}`;
    }
  };
  const setDownloads = (job: api.Job | undefined) => {
    const zip = $('#download-zip') as HTMLAnchorElement;
    zip.classList.toggle('disabled', !job);
    if (job) zip.href = api.resultZipUrl(job.id); else zip.removeAttribute('href');
    updateDicomLink();
  };
  const updateDicomLink = () => {
    const link = $('#download-dicom') as HTMLAnchorElement;
    const url = state.derivedUrls[Math.min(view.sliceIndex(), state.derivedUrls.length - 1)];
    link.classList.toggle('disabled', !url);
    if (url) {
      link.href = url;
      link.download = `reconstructed-slice-${view.sliceIndex() + 1}.dcm`;
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
    // a re-upload may add instances to a known series: fetch its details again
    for (const s of result.studies.flatMap((st) => st.series)) state.details.delete(s.seriesInstanceUID);
    void refresh().then(() => {
      if (first) document.querySelector<HTMLElement>(`[data-series="${CSS.escape(first.seriesInstanceUID)}"]`)?.click();
    });
  });
  void refresh().catch(() => undefined);
  // A handle for the end-to-end tests and the benchmark; the page itself does not use it.
  (window as unknown as { medsrViewer: unknown }).medsrViewer = { view, state };
}

document.addEventListener('DOMContentLoaded', start);

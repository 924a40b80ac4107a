import type { Series, Study, StudyHeader } from './api-client';
import { thumbnailUrl } from './api-client';
import { $, formatBytes, h } from './dom';

/** `20240131` -> `2024-01-31` (anything else as it is). */
const isoDate = (d: string): string => (/^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d);

/** The words a search matches: patient name and ID, date, accession, modalities, description. */
function searchText(study: Study, header: StudyHeader | undefined): string {
  return [header?.patientName, header?.patientId, header?.studyDate, header && isoDate(header.studyDate), header?.accession,
    ...(header?.modalities ?? []), study.description, header?.description, study.studyInstanceUID].filter(Boolean).join(' ').toLowerCase();
}

function studyTitle(study: Study, header: StudyHeader | undefined): HTMLElement {
  const patient = header?.patientName || 'Unnamed patient';
  const facts = [header?.patientId && `ID ${header.patientId}`, header?.studyDate && isoDate(header.studyDate),
    header?.accession && `Acc ${header.accession}`, header?.modalities.join('/'), study.description || header?.description].filter(Boolean);
  return h('div', { class: 'study-title', 'data-study': study.studyInstanceUID, title: study.studyInstanceUID },
    h('span', { class: 'patient', text: patient }), h('span', { text: facts.length ? ` · ${facts.join(' · ')}` : '' }));
}

/** The study browser: patient, ID, date, accession and modalities per study (from QIDO-RS), a
 * search over them, and modality, size, slice count and a thumbnail per series. */
export function renderStudies(studies: Study[], headers: Map<string, StudyHeader>, search: string, details: Map<string, Series>,
  selectedUID: string | undefined, onSelect: (series: Series) => void): void {
  const list = $('#study-list');
  list.replaceChildren();
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = studies.filter((s) => words.every((w) => searchText(s, headers.get(s.studyInstanceUID)).includes(w)));
  const empty = $('#studies-empty');
  empty.hidden = shown.length > 0;
  empty.textContent = studies.length === 0 ? 'Nothing uploaded yet.' : 'No study matches the search.';
  for (const study of shown) {
    const items = study.series.flatMap((header) => {
      const series = details.get(header.seriesInstanceUID);
      return series ? [seriesItem(series, series.seriesInstanceUID === selectedUID, onSelect)] : [];
    });
    list.append(h('li', {}, studyTitle(study, headers.get(study.studyInstanceUID)), ...items));
  }
}

function seriesItem(series: Series, selected: boolean, onSelect: (s: Series) => void): HTMLElement {
  const thumb = h('img', { alt: '', loading: 'lazy', src: thumbnailUrl(series.studyInstanceUID, series.seriesInstanceUID) });
  thumb.addEventListener('error', () => { thumb.style.visibility = 'hidden'; });
  const name = series.description || `${series.modality} series`;
  const slices = series.instances.reduce((n, i) => n + Math.max(1, i.frames), 0);
  const first = series.instances[0];
  const meta = `${series.modality} · ${slices} slice${slices === 1 ? '' : 's'}`
    + (first ? ` · ${first.columns}×${first.rows}` : '') + ` · ${seriesSize(series)}`;
  const item = h('div', { class: `series${selected ? ' selected' : ''}`, role: 'button', tabindex: '0',
    'data-series': series.seriesInstanceUID, title: series.seriesInstanceUID },
  thumb, h('div', {}, h('div', { class: 'name', text: name }), h('div', { class: 'meta', text: meta })));
  const choose = () => {
    document.querySelectorAll('.series.selected').forEach((el) => el.classList.remove('selected'));
    item.classList.add('selected');
    onSelect(series);
  };
  item.addEventListener('click', choose);
  item.addEventListener('keydown', (e) => { if (e.key === 'Enter') choose(); });
  return item;
}

/** The stored files' total size; older servers report none, so then the pixel data at 16 bits,
 * marked as an estimate. */
function seriesSize(series: Series): string {
  if (series.instances.every((i) => i.bytes !== undefined)) return formatBytes(series.instances.reduce((n, i) => n + (i.bytes ?? 0), 0));
  return `≈${formatBytes(series.instances.reduce((n, i) => n + i.rows * i.columns * Math.max(1, i.frames) * 2, 0))}`;
}

import type { Series, Study } from './api-client';
import { thumbnailUrl } from './api-client';
import { $, formatBytes, h } from './dom';

/** The study/series list: modality, size, slice count and a thumbnail per series. */
export function renderStudies(studies: Study[], details: Map<string, Series>, selectedUID: string | undefined,
  onSelect: (series: Series) => void): void {
  const list = $('#study-list');
  list.replaceChildren();
  $('#studies-empty').hidden = studies.length > 0;
  for (const study of studies) {
    const items = study.series.flatMap((header) => {
      const series = details.get(header.seriesInstanceUID);
      return series ? [seriesItem(series, series.seriesInstanceUID === selectedUID, onSelect)] : [];
    });
    const title = `Study · ${study.description || study.studyInstanceUID.slice(-16)}`;
    list.append(h('li', {}, h('div', { class: 'study-title', text: title }), ...items));
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

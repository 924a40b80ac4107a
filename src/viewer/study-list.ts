import type { SeriesSummary, StudySummary } from './api-client';
import { thumbnailUrl } from './api-client';
import { $, formatBytes, h } from './dom';

/** The study/series list: modality, size, slice count and a thumbnail per series. */
export function renderStudies(studies: StudySummary[], selectedUID: string | undefined,
  onSelect: (series: SeriesSummary) => void): void {
  const list = $('#study-list');
  list.replaceChildren();
  $('#studies-empty').hidden = studies.length > 0;
  for (const study of studies) {
    const items = study.series.map((series) => seriesItem(series, series.seriesInstanceUID === selectedUID, onSelect));
    const title = [study.description || 'Study', study.date].filter(Boolean).join(' · ');
    list.append(h('li', {}, h('div', { class: 'study-title', text: title }), ...items));
  }
}

function seriesItem(series: SeriesSummary, selected: boolean, onSelect: (s: SeriesSummary) => void): HTMLElement {
  const thumb = h('img', { alt: '', loading: 'lazy', src: thumbnailUrl(series.seriesInstanceUID) });
  thumb.addEventListener('error', () => { thumb.style.visibility = 'hidden'; });
  const name = series.description || `${series.modality} series`;
  const meta = `${series.modality} · ${series.instanceCount} slice${series.instanceCount === 1 ? '' : 's'}`
    + ` · ${series.columns}×${series.rows} · ${formatBytes(series.sizeBytes)}`;
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

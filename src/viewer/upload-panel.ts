import { type UploadReport, uploadFiles } from './api-client';
import { $, h, plainError } from './dom';
import { type PickedFile, filesFromDrop, filesFromInput } from './file-drop';

/** Drop zone and pickers -> multipart upload with progress -> what was accepted and rejected. */
export function setUpUpload(onUploaded: (result: UploadReport) => void): void {
  const zone = $('#drop-zone');
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    if (e.dataTransfer) void filesFromDrop(e.dataTransfer).then((files) => upload(files, onUploaded));
  });
  for (const id of ['#file-input', '#folder-input']) {
    const input = $(id) as HTMLInputElement;
    input.addEventListener('change', () => {
      const files = filesFromInput(input);
      input.value = '';
      void upload(files, onUploaded);
    });
  }
}

async function upload(files: PickedFile[], onUploaded: (result: UploadReport) => void): Promise<void> {
  if (files.length === 0) return;
  const progress = $('#upload-progress') as HTMLProgressElement;
  const status = $('#upload-status');
  const rejected = $('#rejected-list');
  progress.hidden = false;
  progress.value = 0;
  status.className = 'status';
  status.textContent = `Uploading ${files.length} file${files.length === 1 ? '' : 's'}…`;
  rejected.replaceChildren();
  try {
    const result = await uploadFiles(files, (f) => {
      progress.value = f;
      if (f >= 1) status.textContent = 'Reading the DICOM files on the server…';
    });
    const instances = result.instancesStored;
    const series = result.studies.reduce((n, s) => n + s.series.length, 0);
    status.className = `status ${instances > 0 ? 'ok' : 'error'}`;
    status.textContent = `${instances} image${instances === 1 ? '' : 's'} in ${series} series accepted`
      + (result.rejected.length ? `, ${result.rejected.length} file${result.rejected.length === 1 ? '' : 's'} rejected.` : '.');
    for (const r of result.rejected) rejected.append(h('li', {}, `${r.file}: `, h('span', { text: r.message })));
    onUploaded(result);
  } catch (err) {
    status.className = 'status error';
    status.textContent = `Upload failed: ${plainError(err)}`;
  } finally {
    progress.hidden = true;
  }
}

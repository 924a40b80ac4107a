import path from 'node:path';
import type { DataSet } from 'dicom-parser';
import { MedsrError } from '../../shared/errors';

/** Directory Record Sequence (0004,1220) and, in each record, Referenced File ID (0004,1500). */
const DIRECTORY_RECORDS = 'x00041220';
const REFERENCED_FILE_ID = 'x00041500';

/**
 * The files a DICOMDIR references, as absolute paths below the DICOMDIR's folder, in record
 * order without repeats. A file ID that climbs out of that folder is refused.
 */
export function dicomdirReferencedFiles(dataSet: DataSet, dicomdirPath: string): { files: string[]; errors: MedsrError[] } {
  const root = path.dirname(path.resolve(dicomdirPath));
  const files: string[] = [];
  const errors: MedsrError[] = [];
  const seen = new Set<string>();
  for (const item of dataSet.elements[DIRECTORY_RECORDS]?.items ?? []) {
    const record = item.dataSet;
    if (!record?.elements[REFERENCED_FILE_ID]) continue;
    const count = record.numStringValues(REFERENCED_FILE_ID) ?? 1;
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      const part = record.string(REFERENCED_FILE_ID, i);
      if (part) parts.push(part.trim());
    }
    if (parts.length === 0) continue;
    const resolved = path.resolve(root, ...parts);
    if (parts.some((p) => p === '..' || p.includes('/') || path.isAbsolute(p)) || !resolved.startsWith(root + path.sep)) {
      errors.push(new MedsrError('invalid_input', 'dicomdir.unsafe_path', `DICOMDIR references ${parts.join('\\')} outside its folder`, { file: dicomdirPath }));
      continue;
    }
    if (!seen.has(resolved)) {
      seen.add(resolved);
      files.push(resolved);
    }
  }
  return { files, errors };
}

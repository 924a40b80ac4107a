/**
 * Siemens MOSAIC: one stored frame holding a grid of slices (an EPI or ASL volume), tiles in row
 * order from the top left, the unused tail of the grid empty. ImageType says MOSAIC and the
 * Siemens MR header (private group 0019, creator "SIEMENS MR HEADER", element xx0A) gives the
 * number of slices; the grid is the smallest square that holds them (as dcm2niix reads it).
 */
import type { DataSet } from 'dicom-parser';
import type { MosaicLayout } from './types';

const SIEMENS_MR_HEADER = 'SIEMENS MR HEADER';

/** The layout of a MOSAIC image, or undefined when the frame is an ordinary image. */
export function readMosaic(ds: DataSet, rows: number, columns: number): MosaicLayout | undefined {
  const imageType = (ds.string('x00080008') ?? '').toUpperCase().split('\\').map((v) => v.trim());
  if (!imageType.includes('MOSAIC')) return undefined;
  const images = imagesInMosaic(ds);
  if (images === undefined || images < 2) return undefined;
  const grid = Math.ceil(Math.sqrt(images));
  if (rows % grid !== 0 || columns % grid !== 0) return undefined;
  return { images, grid, tileRows: rows / grid, tileColumns: columns / grid };
}

/** NumberOfImagesInMosaic (0019,xx0A) in the block the Siemens MR header creator reserved. */
function imagesInMosaic(ds: DataSet): number | undefined {
  for (let block = 0x10; block <= 0xff; block++) {
    const hex = block.toString(16).padStart(2, '0');
    if (ds.string(`x001900${hex}`)?.trim() !== SIEMENS_MR_HEADER) continue;
    const element = ds.elements[`x0019${hex}0a`];
    if (!element || element.length < 2) return undefined;
    return ds.uint16(`x0019${hex}0a`);
  }
  return undefined;
}

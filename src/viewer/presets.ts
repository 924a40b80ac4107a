import type { Image } from 'cornerstone-core';

/** Window presets (width/level in HU) used in CT reading, plus an automatic window for MR and
 * anything without calibrated units. Keys are the keyboard shortcuts. */
export interface WindowPreset { id: string; label: string; key: string; width?: number; center?: number }

export const PRESETS: WindowPreset[] = [
  { id: 'brain', label: 'CT brain', key: '1', width: 80, center: 40 },
  { id: 'subdural', label: 'Subdural', key: '2', width: 200, center: 75 },
  { id: 'bone', label: 'Bone', key: '3', width: 2000, center: 500 },
  { id: 'lung', label: 'Lung', key: '4', width: 1500, center: -600 },
  { id: 'soft', label: 'Soft tissue', key: '5', width: 400, center: 50 },
  { id: 'auto', label: 'Auto (MR)', key: '0' },
];

/** Percentile window (1st..99th) over the modality values: robust to a few hot pixels. */
export function autoWindow(image: Image): { windowWidth: number; windowCenter: number } {
  const data = image.getPixelData();
  const stride = Math.max(1, Math.floor(data.length / 65536));
  const values: number[] = [];
  for (let i = 0; i < data.length; i += stride) values.push((data[i] as number) * image.slope + image.intercept);
  values.sort((a, b) => a - b);
  const low = values[Math.floor(values.length * 0.01)] ?? 0;
  const high = values[Math.floor(values.length * 0.99)] ?? 1;
  return { windowWidth: Math.max(1, high - low), windowCenter: (low + high) / 2 };
}

export function presetWindow(preset: WindowPreset, image: Image): { windowWidth: number; windowCenter: number } {
  if (preset.width === undefined || preset.center === undefined) return autoWindow(image);
  return { windowWidth: preset.width, windowCenter: preset.center };
}

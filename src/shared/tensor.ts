/**
 * A dense float32 tensor in row-major (C) order: the one array type that crosses from ingest to
 * pipeline. Shapes are NCHW for images ([batch, channels, height, width]).
 */
export interface Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function createTensor(shape: readonly number[], data?: Float32Array): Tensor {
  const size = sizeOf(shape);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new RangeError(`invalid shape [${shape.join(', ')}]`);
  if (data && data.length !== size) throw new RangeError(`data length ${data.length} does not match shape [${shape.join(', ')}]`);
  return { data: data ?? new Float32Array(size), shape: [...shape] };
}

/** A single-channel image as a [1, 1, height, width] tensor. */
export function imageTensor(height: number, width: number, data?: Float32Array): Tensor {
  return createTensor([1, 1, height, width], data);
}

export function heightOf(t: Tensor): number {
  return t.shape[t.shape.length - 2] ?? 1;
}

export function widthOf(t: Tensor): number {
  return t.shape[t.shape.length - 1] ?? 1;
}

export function cloneTensor(t: Tensor): Tensor {
  return { data: new Float32Array(t.data), shape: [...t.shape] };
}

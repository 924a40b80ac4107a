import { createTensor, imageTensor, heightOf, widthOf, cloneTensor, sizeOf } from '../../src/shared/tensor';

describe('tensor', () => {
  it('creates NCHW image tensors and checks sizes', () => {
    const t = imageTensor(3, 5);
    expect(t.shape).toEqual([1, 1, 3, 5]);
    expect(heightOf(t)).toBe(3);
    expect(widthOf(t)).toBe(5);
    expect(sizeOf(t.shape)).toBe(15);
    expect(() => createTensor([2, 2], new Float32Array(3))).toThrow(RangeError);
    expect(() => createTensor([2, -1])).toThrow(RangeError);
  });

  it('clones without sharing memory', () => {
    const t = imageTensor(1, 2, new Float32Array([1, 2]));
    const c = cloneTensor(t);
    c.data[0] = 9;
    expect(t.data[0]).toBe(1);
  });
});

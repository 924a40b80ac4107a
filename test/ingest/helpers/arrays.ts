/** Typed-array equality that stays fast on 10^5 values and says where the first difference is. */
export function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) return `index ${i}: ${actual[i]} != ${expected[i]}`;
  return undefined;
}

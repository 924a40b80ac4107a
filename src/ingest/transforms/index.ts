/** Pixel transforms: decoded frame <-> normalised conditioning tensor, and the uncertainty map's storage. */
export type { AppliedStep, Conditioning, NormalisationSpec, StepName } from './types';
export { toConditioning, fromConditioning, toModalityValues, assertGreyscale, conditioningFloor } from './chain';
export { percentiles } from './percentile';
export { normalisationRange } from './normalise';
export { storedRange, roundAndClamp, type StoredRange } from './stored-range';
export { uncertaintyToStored, stdToModalityUnits, type StoredUncertainty, type UncertaintyRepresentation, type UncertaintyStorageOptions } from './uncertainty';

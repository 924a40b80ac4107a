/**
 * The public API of src/ingest: everything other layers may use. DICOM parsing details
 * (dicom-parser, codecs) stay behind it.
 */
export * from './types';
// reading [ingest-read]
export { readInputs } from './read-inputs';
export { readDicomBytes } from './read-dicom';
export { decodeFrame } from './pixel-data';
export { assembleSeries } from './series';
export { computePixelStats, type PixelStats } from './pixel-stats';
export { DEFAULT_READ_LIMITS } from './limits';
export { lookupTransferSyntax, supportedTransferSyntaxes, type TransferSyntax } from './transfer-syntax';
// transforms, prompt and write-back [ingest-write]
export * from './transforms';
export { buildPrompt, tokenizePromptWords } from './prompt';
export { writeDerived, supportsRescale, type DerivedOptions, type DerivedPixelRepresentation } from './write-derived';
export { newUid, stableUid, isValidUid } from './uid';
export { scaleGeometry } from './scale-geometry';
export { transcodeToNative } from './transcode-native';
// network and DICOMweb representations [ingest-net]
export { toDicomJson, jsonText, tagOf, keywordOf, vrOf, type DicomJson, type DicomJsonElement } from './dicom-json';
export { wrapPart10, type Part10Meta } from './part10-wrap';

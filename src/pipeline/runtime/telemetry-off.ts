/**
 * Imported before onnxruntime-node (onnx-session.ts): turns off onnxruntime's telemetry unless the operator has set
 * ORT_DISABLE_TELEMETRY themselves. Since 1.29 the official onnxruntime binaries on Linux and macOS carry Microsoft's 1DS
 * telemetry, on by default: each process writes a persistent device identifier and an event cache for upload
 * (~/.cache/Microsoft/DeveloperTools/.onnxruntime) and an empty /tmp/mat-debug-<pid>.log, and sends the events when the
 * network allows. A service that reads patients' scans on a hospital network must not call out on its own, and must not
 * leave files behind. onnxruntime reads the variable once, when it creates its environment (before the first session),
 * and process.env writes reach the C library's environment on the main thread; worker threads inherit it.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';

export {};

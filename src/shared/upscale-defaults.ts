/**
 * The defaults of one upscale, the same for the CLI, the REST API, auto-routing and the viewer
 * (which reads them from GET /api/v1/options). Steps and guidance are absent on purpose: those
 * default to the model's own settings (its manifest), whichever model is loaded.
 */
export const UPSCALE_DEFAULTS = Object.freeze({ scale: 2 as const, samples: 1, seed: 0 });

/** Bounds the API and CLI accept. */
export const UPSCALE_LIMITS = Object.freeze({ steps: [1, 200] as const, samples: [1, 16] as const, seed: [0, 2 ** 32 - 1] as const });

/**
 * Moved: the defaults now live with the limits and choices in ./upscale-options (the one
 * definition). Re-exported so imports written against this path keep working; import from
 * ./upscale-options in new code.
 */
export { UPSCALE_DEFAULTS, UPSCALE_LIMITS } from './upscale-options';

export { psnr, ssim, ssimMap, NORMALISED_PEAK } from './quality';
export { bodyMask, defaultBodyThreshold } from './body-mask';

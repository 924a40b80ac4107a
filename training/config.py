"""Training configurations: every setting typed and explained once (the recipe and the card read them as a dict)."""
import copy
from dataclasses import asdict, dataclass, field, fields, replace


def _f(default, help_text):
    """A field with its help text; mutable defaults are built per instance."""
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda d=default: copy.deepcopy(d), metadata={"help": help_text})
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class TrainConfig:
    seed: int = _f(1234, "seed of every stage (each stage offsets it)")
    # ---- networks
    f: int = _f(4, "autoencoder downsampling factor (space-to-depth block side)")
    latent_ch: int = _f(16, "latent channels (f*f: the PCA autoencoder is then lossless)")
    ae_width: int = _f(64, "width of a learned autoencoder (unused by the PCA one: ae_*_blocks = -1)")
    ae_enc_blocks: int = _f(-1, "encoder residual blocks; -1 = the fixed PCA transform")
    ae_dec_blocks: int = _f(-1, "decoder residual blocks; -1 = the fixed PCA transform")
    unet_chs: list = _f([64, 96, 128], "U-Net (and regression body) channels per level")
    text_dim: int = _f(64, "text encoder width")
    text_layers: int = _f(2, "text encoder transformer layers")
    dm_residual: bool = _f(True, "U-Net predicts x0 as condition + residual (returned as v-prediction)")
    # ---- stage 1: autoencoder
    ae_iters: int = _f(0, "autoencoder gradient iterations (0: PCA fit only)")
    ae_batch: int = _f(16, "autoencoder batch")
    ae_patch: int = _f(64, "autoencoder HR patch side")
    ae_lr: float = _f(1e-3, "autoencoder learning rate")
    # ---- stage 2: regression baseline
    reg_iters: int = _f(3000, "regression iterations")
    reg_batch: int = _f(16, "regression batch")
    reg_patch: int = _f(64, "regression HR patch side")
    reg_lr: float = _f(5e-4, "regression peak learning rate (cosine)")
    # ---- stage 3: text encoder + diffusion U-Net
    dm_iters: int = _f(20000, "diffusion iterations")
    dm_batch: int = _f(16, "diffusion batch")
    dm_patch: int = _f(64, "diffusion HR patch side")
    dm_lr: float = _f(5e-4, "diffusion peak learning rate (cosine)")
    dm_zoom_iters: int = _f(1500, "iterations of the diffusion's fine-tuning with zoomed MR (stage 3b, train.DM_ZOOM_STAGE): "
                            "the last phase's mix, zoom_p of its MR and photograph slices zoomed first; 0: none")
    dm_zoom_lr: float = _f(1e-4, "peak learning rate of that fine-tuning (cosine)")
    dm_phases: list = _f([{"from": 10000, "ct_p": 0.2, "mr_kspace_p": 0.65, "auto_p": {"MR": 0.1, "CT": 0.5}}],
                         "from iteration `from` on, these settings replace the ones below (the second half leans "
                         "towards MR lower-matrix inputs; `auto` MR words are only the detector's small-slice fallback)")
    t_max: int = _f(200, "timesteps trained: 0..t_max-1 (the few-step range the sampler uses)")
    from_condition_p: float = _f(0.7, "fraction of samples noised from the condition (the inference start state)")
    prompt_dropout: float = _f(0.15, "fraction of empty prompts (classifier-free guidance)")
    word_dropout: float = _f(0.15, "per-word dropout of the content words (prompts with unknown fields)")
    # ---- stage 4: degradation detector
    det_iters: int = _f(3000, "detector iterations")
    det_batch: int = _f(32, "detector batch of LR patches")
    det_lr: float = _f(2e-3, "detector peak learning rate (cosine)")
    det_tune_iters: int = _f(2000, "iterations of stage 4d per reader: stage 4's readers fine-tuned with zoomed and "
                             "other-contrast slices (detector.TUNE_STAGE); 0: none, stage 4's readers ship")
    det_tune_lr: float = _f(4e-4, "peak learning rate of stage 4d (cosine)")
    det_zoom_p: float = _f(0.3, "in stage 4d only: drawn slices zoomed x1.3-2.2 (augment.zoomed), both classes alike")
    det_contrast_p: float = _f(0.3, "in stage 4d only: drawn slices given another tissue contrast (augment.another_contrast)")
    # ---- stage 5: MR k-space refiner (pixel space, after the frozen diffusion; training/refiner.py)
    ref_iters: int = _f(8000, "refiner iterations (0: no refiner is shipped)")
    ref_batch: int = _f(16, "refiner batch")
    ref_patch: int = _f(64, "refiner HR patch side")
    ref_lr: float = _f(5e-4, "refiner peak learning rate (cosine)")
    ref_width: int = _f(48, "refiner channels (on 2x2 blocks: half the output resolution)")
    ref_blocks: int = _f(8, "refiner residual blocks (two 3x3 convolutions each)")
    ref_polish_iters: int = _f(1200, "refiner iterations after the first ref_iters, with the squared error after the "
                               "projection instead of L1 (PSNR is a squared error); 0: none")
    ref_polish_lr: float = _f(5e-5, "peak learning rate of the polish (cosine; 10x below ref_lr)")
    ref_keep_blocks: int = _f(6, "residual blocks the shipped refiner keeps (refiner.py, the pruning): after the polish "
                              "the blocks whose absence raises its loss least on fixed training batches go, and the rest "
                              "are fine-tuned; ref_blocks or 0: no pruning")
    ref_prune_iters: int = _f(3000, "iterations of that fine-tuning (the polish's loss, plus ref_prune_teacher x the "
                              "squared distance to the unpruned refiner's output); 0: no pruning")
    ref_prune_lr: float = _f(1e-4, "peak learning rate of the pruned refiner's fine-tuning (cosine)")
    ref_prune_teacher: float = _f(0.5, "weight of the unpruned refiner's output in the pruned one's loss: it keeps the "
                                  "behaviour the loss does not train (the resampled path)")
    ref_prune_ema: float = _f(0.995, "EMA decay of the pruned refiner's fine-tuning (a short stage)")
    ref_zoom_iters: int = _f(1000, "iterations of the shipped refiner's last fine-tuning (stage 5c, refiner.py ZOOM_STAGE): "
                             "the polish's loss, zoom_p of its MR and photograph slices zoomed first; 0: none")
    ref_zoom_lr: float = _f(1e-4, "peak learning rate of that fine-tuning (cosine)")
    ref_steps: int = _f(1, "DDIM steps of the diffusion on the refiner's paths when not told (default_steps elsewhere): "
                        "the refiner does the fine detail a second step added, and a step costs a U-Net call")
    ct_ref_iters: int = _f(800, "CT refiner iterations (ct_refiner.py: the refiner fine-tuned on CT's told paths; 0: none)")
    ct_ref_lr: float = _f(1e-4, "CT refiner peak learning rate (cosine), from the shipped MR refiner's weights")
    # ---- data mix and augmentation (training/train.py Sampler)
    ct_p: float = _f(0.3, "fraction of CT patches")
    photo_p: float = _f(0.15, "fraction of photograph patches (treated as MR)")
    coarsen_p: float = _f(0.25, "MR/photo slices first coarsened x1/2 (2 mm anatomy from 1 mm scans)")
    refine_p: float = _f(0.3, "CT slices zoomed x1.3-2.2 (the smooth look of clinical 0.4-0.5 mm head CT)")
    fov_crop_p: float = _f(0.3, "slices cut to a smaller field of view (anatomy on the edge)")
    zoom_p: float = _f(0.4, "in the zoom stages (3b, 5c) only: MR/photo slices zoomed x1.3-2.2 (bicubic), as scans with "
                       "finer pixels than the training MR look (a PACS's or scanner's non-Fourier zoom, 0.4-0.5 mm matrices)")
    contrast_p: float = _f(0.2, "in the zoom stages (3b, 5c) only: MR slices given another tissue contrast first (a smooth "
                           "random intensity remap, augment.another_contrast), as the PD, FLAIR and T2 scans training lacks")
    zoom_ema: float = _f(0.995, "EMA decay of the zoom stages (short fine-tunings)")
    mr_kspace_p: float = _f(0.6, "MR patches made by a lower acquisition matrix (the rest resampled)")
    ct_area_p: float = _f(0.6, "CT patches made by blur + block means (the rest resampled)")
    auto_p: dict = _f({"MR": 0.2, "CT": 0.5}, "fraction of samples told `auto` instead of their degradation")
    mr_noise_p: float = _f(0.75, "MR/photo patches given complex Gaussian noise (noisy magnitude HR and LR)")
    mr_noise: list = _f([0.003, 0.04], "noise sigma range, fraction of the slice's 99.5th percentile (log-uniform)")
    pre_dc_weight: float = _f(0.1, "weight of the L1 before the projection (the main L1 is after it)")
    # ---- arithmetic
    precision: str = _f("auto", "training arithmetic: 'bf16' (autocast: bfloat16 convolutions and matrix products; "
                        "float32 weights, norms, projections and losses), 'fp32', or 'auto': bf16 where the hardware "
                        "computes bfloat16 natively (a CPU with avx512_bf16 or amx_bf16, a GPU that supports it), else fp32. "
                        "Evaluation, the exported graphs and the product are float32 either way (precision.py)")
    # ---- bookkeeping
    ckpt_every: int = _f(200, "checkpoint every this many iterations")
    ema: float = _f(0.999, "EMA decay of the shipped regression and diffusion weights")
    curve_every: int = _f(2000, "learning-curve probe every this many iterations")
    # ---- the schedule and sampler the model ships with (manifest `scheduler`)
    num_train_timesteps: int = _f(1000, "diffusion timesteps of the schedule")
    beta_start: float = _f(0.00085, "scaled-linear schedule: first beta")
    beta_end: float = _f(0.012, "scaled-linear schedule: last beta")
    init_strength: float = _f(0.1, "sampling starts from the condition noised to this fraction of the schedule")
    default_steps: int = _f(2, "default sampling steps")

    def as_dict(self):
        return asdict(self)


def help_text():
    """Every setting with its default and meaning (`recipe.py --help-config`)."""
    return "\n".join(f"{f.name} = {getattr(TrainConfig(), f.name)!r}: {f.metadata['help']}" for f in fields(TrainConfig))


DEFAULT = TrainConfig()
# the CI smoke run: tiny networks, a few iterations
SMOKE = replace(DEFAULT, unet_chs=[16, 24, 32], text_dim=32, text_layers=1, ae_width=16, ae_batch=4,
                reg_iters=30, reg_batch=4, dm_iters=40, dm_batch=4, ct_p=0.35, ckpt_every=20, ema=0.99,
                curve_every=20, det_iters=20, det_tune_iters=10, det_batch=8, default_steps=4, ref_iters=20, ref_batch=4,
                ref_width=8, ref_blocks=2, ref_polish_iters=10, ref_keep_blocks=1, ref_prune_iters=10,
                ref_zoom_iters=10, dm_zoom_iters=10, ct_ref_iters=10)
# The larger configuration for one H100/H200-class GPU (issue 12: at most 9 minutes of training there): wider
# U-Nets, bigger batches of bigger patches. Data are prepared on a CPU machine and packed (`recipe.py --pack DIR`),
# since the GPU machine has no network; it exports the graphs the TypeScript pipeline loads.
# The detector stages are bound by their pair sampling on the CPU (0.09 s per iteration here, 0.16 s with stage 4d's
# zoom and contrast), not by the GPU: stage 4d (3 x 2000 iterations) would add about a quarter of an hour, so this
# configuration ships stage 4's readers (stage 4 alone, 3 x 3000, is already about 14 minutes at this CPU's rate).
GPU = replace(DEFAULT, unet_chs=[96, 128, 192], reg_iters=6000, reg_batch=64, reg_patch=96,
              dm_iters=12000, dm_batch=64, dm_patch=96, ckpt_every=500, curve_every=3000,
              ref_iters=6000, ref_batch=64, ref_patch=96, ref_polish_iters=1000, det_tune_iters=0)

CONFIGS = {"default": DEFAULT.as_dict(), "smoke": SMOKE.as_dict(), "gpu": GPU.as_dict()}
ITERATION_SETTINGS = ("ae_iters", "reg_iters", "dm_iters", "dm_zoom_iters", "det_iters", "det_tune_iters", "ref_iters",
                      "ref_polish_iters", "ref_prune_iters", "ref_zoom_iters", "ct_ref_iters")


def rehearse(name, n):
    """Caps every stage of configuration `name` at n iterations (recipe.py --rehearse), checkpoints and curve rows
    included, so the whole recipe runs in minutes on a CPU with the configuration's networks and data."""
    cfg = CONFIGS[name]
    cfg.update({k: min(cfg[k], n) for k in ITERATION_SETTINGS if cfg[k]})
    cfg.update(ckpt_every=max(1, min(cfg["ckpt_every"], n)), curve_every=max(1, min(cfg["curve_every"], n)))

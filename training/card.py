"""Writes the model card (models/README.md) from model_index.json: every number comes from the
recipe's own evaluation."""

import numpy as np

import ct_detector as CTD
import ct_refiner as CTR
import degrade as D
import detector as DET
import prompt as P
import refiner as REF
from evaluate import CLASSICAL


def _f(x, d=2):
    return f"{x:.{d}f}"


def _cases(rows):
    """Per (subject, input made by, scale): its rows, the best classical row, and {method: PSNR}."""
    for k in sorted({(r["subject"], r["degradation"], r["scale"]) for r in rows}):
        rs = [r for r in rows if (r["subject"], r["degradation"], r["scale"]) == k]
        best = max((r for r in rs if r["method"] in CLASSICAL), key=lambda r: r["psnr_mask"])
        yield k, rs, best, {r["method"]: r["psnr_mask"] for r in rs}


PATH_NAMES = {"kspace": "k-space", "bicubic": "resampled", "area": "area", "auto": "blind"}


def _contrast_clause(cfg):
    """What the zoom stages' contrast remap (augment.another_contrast) adds to their description, if the run has it."""
    if not cfg.get("contrast_p"):
        return ""
    return (f"; and {int(cfg['contrast_p'] * 100)}% of the MR slices first given another tissue contrast (their "
            "intensities through a smooth random curve that keeps the background dark and may reorder the tissues, as "
            "PD, T2 and FLAIR scans order them; the training MR are mostly T1)")


def _external_mr_limit(m):
    """The MR limitation's sentence on the external MR subject's k-space goals (empty when the run has none)."""
    rows = [g for g in m.get("external_goals", []) if (g["modality"], g["degradation"]) == ("MR", "kspace")]
    if not rows:
        return ""
    return (" The validation chose most of the recipe; on the external MR subject, which it did not, lower matrices gain "
            + " / ".join(f"{g['gain_db']:+.2f}" for g in rows) + " dB (" + " / ".join(f"x{g['scale']}" for g in rows)
            + ") over zero-filled Fourier" + ("" if all(g["gain_met"] for g in rows) else ", below issue 12's +1 dB goal")
            + ": expect less than the validation's gains on other scanners.")


def _paths_taken(modes):
    """{path: slices} -> "k-space 12, resampled 3" (paths no slice took left out)."""
    return ", ".join(f"{PATH_NAMES[p]} {n}" for p, n in sorted(modes.items()) if n)


def _goals_table(goals):
    """evaluate.goals rows: the default pipeline's gain over the best classical baseline against issue 12's floors."""
    return _table(["modality", "input made by", "scale", "best classical", "its PSNR", "default (auto)", "gain", "goal", "met",
                   "told the degradation", "regression (blind)", "default - regression"],
                  [[g["modality"], g["degradation"], f"x{g['scale']}", g["best_classical"], _f(g["best_classical_psnr"]),
                    _f(g["diffusion_psnr"]), f"{g['gain_db']:+.2f} dB", f"{g['goal_gain_db']:+g} dB",
                    "yes" if g["gain_met"] else "**no**", f"{g['told_gain_db']:+.2f} dB", _f(g["regression_psnr"]),
                    f"{g['diffusion_minus_regression_db']:+.2f} dB"] for g in goals])


def _table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _curve(A, rows):
    """The learning curve (training/curve.py) and how much each stage's second half still moved it."""
    cases = list(dict.fromkeys(k for r in rows for k in r if k not in ("stage", "iteration")))
    A("\nValidation gain over the best classical baseline while training (dB, PSNR in the body mask after "
      "data consistency; EMA weights; the regression and diffusion rows are blind: `auto` words and the low-band "
      "projection; the diffusion rows use the default sampler, 1 sample; the refiner rows run the MR k-space path "
      "as the product does: k-space words and projection, the refiner, the projection again):\n")
    A(_table(["stage", "iteration"] + cases, [[r["stage"], str(r["iteration"])] + [f"{r[c]:+.2f}" if c in r else ""
                                                                                   for c in cases] for r in rows]))
    words = []
    for stage in ("regression", "diffusion", "refiner"):
        st = [r for r in rows if r["stage"] == stage]
        if len(st) < 3:
            continue
        mid, end = st[(len(st) - 1) // 2], st[-1]
        words.append(f"{stage} {mid['iteration']} -> {end['iteration']}: "
                     + ", ".join(f"{c} {end[c] - mid[c]:+.2f}" for c in cases if c in end and c in mid))
    if words:
        A("\nWhat the second half of each stage added: " + "; ".join(words) + " dB.\n")


def write(path, idx, model_id):
    m, t = idx["metrics"], idx["training"]
    cfg = t["settings"]
    L = []
    A = L.append
    smoke = t["config"] == "smoke"
    A(f"# {model_id}: latent-diffusion super-resolution for MR and CT slices\n")
    if smoke:
        A("**SMOKE BUILD: tiny data, a few iterations. These numbers only prove the recipe runs.**\n")
    medical = [d for d in t["data"] if not d["subject"].startswith("photo_")]
    photos = [d for d in t["data"] if d["subject"].startswith("photo_")]
    A("Research software. **Not for diagnostic use.** The models were trained in about "
      f"{t['seconds'] / 60:.0f} wall-clock minutes of CPU (summed over stages, on a machine shared with other work; the "
      f"notes under Training give the time alone) on roughly {sum(d['slices'] for d in medical)} slices of "
      f"{len(medical)} real scans (one real CT volume) and {len(photos)} photographs. Every number below is produced by "
      "`training/recipe.py` (see `training/README.md`), on the validation split described below.\n")
    A("## What it does\n")
    A("A low-resolution slice (h x w) is normalised, upsampled to x_up (H x W = s h x s w, s = 2 or 4: "
      "zero-filled Fourier interpolation for MR, the contract's bicubic for CT), encoded to a latent condition, refined by a few DDIM steps of a "
      "text-conditioned latent U-Net that start from the noised condition (SDEdit/CCDF start, "
      f"init_strength {cfg['init_strength']}, {cfg['default_steps']} steps by default), decoded, and "
      "projected onto the input (data consistency in pixel space)"
      + (f"; on the MR k-space and resampled paths a pixel-space refiner then sharpens the projected image and it is "
         f"projected again (there the diffusion takes {cfg['ref_steps']} step{'s' if cfg['ref_steps'] > 1 else ''} by "
         "default: the refiner does the fine detail more steps would add)"
         if idx.get("refiner") else "")
      + ("; on CT's two paths at x2 the same network, fine-tuned on CT, does the same, after one step too (the CT refiner)"
         if idx.get("ct_refiner") else "")
      + ". The text encoder reads task words before the prompt: "
      "the scale (`x2`, `x4`) and what made the input (`kspace`: a lower acquisition matrix, `resampled`, `area`: larger "
      "detector pixels, or `auto`: unknown).\n")
    A("**The degradation is not known by default** (`--degradation auto`). The two common MR cases put the HR pixel grid in "
      "different places (truncated k-space: LR pixel i at HR pixel s i; resampling: at s i + (s - 1)/2), so one output cannot "
      "suit both: on our validation, zero-filled Fourier on a resampled slice loses 2-3.5 dB to bicubic, and bicubic on a "
      "truncated slice loses 3 dB to zero-filling. In auto mode an MR slice is therefore routed by a small learned "
      "detector (`training/detector.py`, `detector.onnx`: readers of four 3x3 convolutions each on the LR slice shifted to a zero minimum "
      "and divided by its RMS, one logit per position and scale; the mean reader averages them over the slice, two evidence readers "
      "weight them by each position's softmaxed evidence, so that a flat masked background does not outvote the tissue"
      + (f"; each fine-tuned for {cfg['det_tune_iters']} more iterations with {cfg['det_zoom_p']:.0%} of its training slices "
         f"zoomed and {cfg['det_contrast_p']:.0%} given another tissue contrast (stage 4d)" if DET.tuning(cfg) else "")
      + "; "
      f"x2 follows the evidence readers' mean, x4 mixes the mean reader and the evidence readers {DET.Detector.MEAN_WEIGHT[1]:g} : "
      f"{1 - DET.Detector.MEAN_WEIGHT[1]:g}) to the k-space path when P(k-space) >= {DET.THRESHOLD:g} (a truncated slice on the "
      "wrong path loses more than a resampled one; the detector table below gives both costs), else to the resampled path, each "
      "with its words and its exact projection. "
      + ("A CT slice (whose two degradations share one grid) is judged by a CT detector of the same design (`training/ct_detector.py`, "
         f"`ct_detector.onnx`, one mean reader): it takes the area path (detector pixels: `area` words, the blur + block-mean projection) "
         f"only when P(area) >= {idx['ct_detector']['threshold']:g}, because a smooth resampled CT slice on the area path loses several dB "
         "while a detector-pixel slice on the resampled path only gains less; every other CT slice takes the resampled path (`resampled` "
         "words, the exact bicubic projection), as all CT did before model 2.9.0. "
         if idx.get("ct_detector") else
         "CT (whose two degradations share one grid) is not judged: auto runs its resampled path (`resampled` words, the exact "
         "bicubic projection). ")
      + "The resampled path beat the blind `auto` words and their low-band projection "
      f"({D.AUTO_CONSISTENCY['pass']:g}-{D.AUTO_CONSISTENCY['stop']:g} of the LR Nyquist frequency) on 10 of 12 CT cases "
      "of model 2.0.0 (validation and external slices; at most 0.21 dB behind on the other two) and does not lose 3.3 dB "
      "on the smooth external Hitachi slice; other modalities run the blind path. "
      "Told the degradation (`--degradation kspace|bicubic|area`), the pipeline skips the detector. A one-step regression "
      "network on the same data (blind: it is told nothing) is shipped as the honest baseline. Graph names, inputs and outputs, "
      "pixel normalisation and the prompt rule: `docs/model-contract.md`.\n")
    A("## Data and licences\n")
    A(_table(["Debian package", "version", "licence"],
             [[p, v["version"], v["licence"]] for p, v in t["packages"].items()]))
    A("")
    A(_table(["split", "subject", "slices", "file"],
             [["train", d["subject"], d["slices"], d["source"]] for d in t["data"]] +
             [["validation", d["subject"], d["slices"], d["source"]] for d in t["validation"]] +
             [["external test", d["subject"], d["slices"], d["source"]] for d in t.get("external", [])]))
    A("")
    A(f"Validation: {t['validation_rule']}. Colin27 (1 mm isotropic) is sliced along all three axes "
      "(axial, coronal, sagittal prompts); the anisotropic volumes only axially. Slices with less than "
      "15% body are skipped. No image is stored in this repository; the recipe fetches the packages with "
      "`apt-get download`.\n")
    A("**CT is scarce**: one real head CT volume (InVesalius \"Cranium\") provides all CT training "
      "slices, and its validation slab comes from the same patient and scanner. The CT numbers below "
      "therefore say little about other scanners, kernels or body parts.\n")
    A("## Degradations\n")
    A("Training pairs are made per 64 x 64 patch (the patch is cut from the HR slice, then degraded as a whole image, "
      "so the loss can be taken after the exact projection of each sample). Sources per patch: "
      f"{cfg['ct_p']:.0%} CT, {cfg['photo_p']:.0%} photographs (treated as MR), the rest MR; scale 2 or 4 alternating; "
      "90-degree rotations and flips; intensity scaling of HR and input together.\n")
    A(f"- MR and photographs: {cfg['mr_noise_p']:.0%} get complex Gaussian noise (sigma {cfg['mr_noise'][0]}-{cfg['mr_noise'][1]} "
      "of the slice's 99.5th percentile, log-uniform) and are taken as magnitude images, HR and LR from the same noisy complex "
      f"image (real scans are noisy magnitude images at both resolutions). Then {cfg['mr_kspace_p']:.0%} a lower acquisition "
      "matrix (central k-space block, magnitude), the rest resampled (the product's antialiased bicubic; for auto samples also "
      "box filters with some blur).")
    A(f"- CT: {cfg['ct_area_p']:.0%} Gaussian blur (sigma 0.5 HR pixel when told, 0-1 for auto samples) then s x s block "
      "means, 60% with 2-25 HU noise; the rest resampled.")
    A(f"- Words: each sample is told its degradation or `auto` ({cfg['auto_p']['MR']:.0%} of MR samples, whose auto mode is "
      f"the detector's fallback only; {cfg['auto_p']['CT']:.0%} of CT samples); prompt dropout {cfg['prompt_dropout']} and word "
      "dropout apply to the content words only.")
    A("- Loss: L1 to the HR patch after the sample's own projection (k-space replacement, 6 conjugate-gradient steps for "
      f"area and bicubic, the low-band projection for auto) plus {cfg['pre_dc_weight']} x L1 before it.\n")
    A(f"Evaluation uses the fixed operators of the contract without noise, exactly as `medsr eval` does: MR "
      f"`kspace` (the central block including the unpaired Nyquist line), CT `area` with blur sigma "
      f"{idx['degradations']['ct']['blur_sigma_px']} HR pixel, and `bicubic` for both. Each LR slice is then stored as its "
      "DICOM file would hold it (rounded; MR unsigned, so a lower matrix's ringing below zero is clipped to 0, which the "
      "k-space projection reads as 0 or less from model 2.9.1 on: `degrade.floored_input`; CT signed).\n")
    A("## Architecture\n")
    p, fl, sz = m["parameters"], m["flops_512"], m["sizes_bytes"]
    rows = [[k, f"{p[k] / 1e6:.3f} M", f"{fl[k] / 1e9:.2f}", f"{sz[k] / 1e6:.2f} MB"] for k in p]
    A(_table(["graph", "parameters", "GFLOP per call at 512x512 output", "ONNX size"], rows))
    A(f"\nTotal shipped: {sz['total'] / 1e6:.2f} MB (budget 40 MB). The U-Net runs "
      f"{cfg['default_steps']} times per slice by default"
      + (f" ({cfg['ref_steps']} on the refiner's paths)" if idx.get("refiner") else "")
      + " (twice as often with classifier-free guidance != 1).\n")
    if cfg["ae_enc_blocks"] < 0 and cfg["latent_ch"] == cfg["f"] ** 2:
        A(f"- Autoencoder (the `vae_*` graphs; deterministic, the encoder output is the latent mean): "
          f"f = {cfg['f']}, {cfg['latent_ch']} latent channels: 4x4 space-to-depth followed by the "
          f"orthogonal principal-component basis of {cfg['f']}x{cfg['f']} blocks (fitted on training "
          "patches), and its transpose in the decoder. It is lossless (ceiling below limited only by float32), "
          "so the latent model works in a decorrelated space-to-depth domain and is not capped by the "
          "autoencoder; see the notes under Training for why the learned 12-channel autoencoder was dropped. "
          f"Latent scale factor {idx['latent']['scale_factor']:.4f} (1 / std of training latents).")
    else:
        A(f"- Autoencoder (the `vae_*` graphs; deterministic, the encoder output is the latent mean): "
          f"f = {cfg['f']}, {cfg['latent_ch']} latent channels, a linear path initialised with the top "
          f"principal components of {cfg['f']}x{cfg['f']} blocks plus a convolutional residual "
          f"(width {cfg['ae_width']}) in encoder and decoder. Latent scale factor "
          f"{idx['latent']['scale_factor']:.4f} (1 / std of training latents).")
    A(f"- Text encoder: word tokenizer (`tokenizer.json`, {len(P.VOCAB)} words), "
      f"{cfg['text_layers']} pre-norm transformer layers, width {cfg['text_dim']}, trained jointly with the U-Net; "
      f"prompt dropout {cfg['prompt_dropout']} (empty prompt, for classifier-free guidance) and word dropout "
      f"{cfg['word_dropout']} (prompts with unknown fields).")
    A(f"- U-Net: channels {cfg['unet_chs']}, two downsamplings, one residual block per level, "
      "timestep embedding in every block, cross-attention to the text at 1/2 and 1/4 latent resolution; "
      "input = concat(noisy latent, condition) with condition = scale_factor * vae_encoder(x_up). "
      + ("The network's x0 estimate is residual, x0 = condition + net(...) (zero-initialised, so training starts "
         "from the upsampled estimate), and the graph returns the matching v-prediction "
         "v = (sqrt(abar_t) z_t - x0) / sqrt(1 - abar_t) (abar looked up by floor(timestep) inside the graph). "
         if cfg.get("dm_residual") else "")
      + f"v-prediction, trained with an x0 loss on timesteps 0..{cfg['t_max'] - 1} only (the few-step "
      f"range), {int(cfg['from_condition_p'] * 100)}% of the time with the noised *condition* as the "
      "noisy latent (exactly the inference start state)."
      + (f" Then fine-tuned from its EMA weights for {cfg['dm_zoom_iters']} iterations (stage 3b, `diffusion_zoom`; the "
         f"last phase's mix, learning rate {cfg['dm_zoom_lr']:g}, EMA {cfg['zoom_ema']}) with {int(cfg['zoom_p'] * 100)}% of "
         "its MR and photograph slices first enlarged by a bicubic zoom of x1.3-2.2: the training MR are 1-2 mm scans, and "
         "inputs with finer pixels were sharpened as if their pixels were as coarse (the oversampled table)"
         + _contrast_clause(cfg) + "." if cfg.get("dm_zoom_iters") else ""))
    A("- Regression baseline: the same U-Net body (no time, no text) on the 4x4 space-to-depth of "
      "x_up, predicting a residual; same data and optimiser, every sample blind (auto projection): it is told nothing.")
    if idx.get("refiner"):
        A(f"- Refiner (`refiner.onnx`, `training/refiner.py`; the MR k-space and resampled paths): a pixel-space network on 2x2 blocks "
          f"of the projected diffusion output ({REF.shipped_blocks(cfg)} norm-free residual blocks of width {cfg['ref_width']}, "
          "a scale plane as second input, a zero-initialised residual output), followed by the k-space projection again. "
          "Why: the latent U-Net sees 4x4 blocks, so the finest detail of a x2 MR slice (ringing at edges, the band just "
          "outside the acquired matrix) is where it is weakest. Trained after the diffusion stage, with the diffusion "
          "frozen and sampled exactly as the product does (k-space words, default sampler, projection), on MR and "
          "photograph patches made by a lower matrix only, loss after the projection: "
          f"{cfg['ref_iters']} iterations of L1"
          + (f", then {cfg['ref_polish_iters']} more of the squared error at a tenth of the learning rate (the polish: "
             "every score here is a PSNR, a squared error)." if cfg.get("ref_polish_iters") else ".")
          + (f" Then pruned (stage 5b, `refiner_pruned`; the refiner is half of a slice's time): the "
             f"{cfg['ref_blocks'] - cfg['ref_keep_blocks']} residual blocks whose absence raised the polish's loss least "
             "on fixed training batches (x2 and x4 weighted alike) were left out, and the remaining "
             f"{cfg['ref_keep_blocks']} fine-tuned for {cfg['ref_prune_iters']} iterations with the polish's loss plus "
             f"{cfg['ref_prune_teacher']} x the squared distance to the unpruned refiner's output (which keeps its "
             "behaviour on the resampled path, which the loss does not train)"
             + ("." if REF.zooming(cfg) else "; the shipped refiner is the pruned one.") if REF.pruning(cfg) else "")
          + (f" Then fine-tuned for {cfg['ref_zoom_iters']} iterations with the polish's loss, "
             f"{int(cfg['zoom_p'] * 100)}% of its MR and photograph slices first enlarged by a bicubic zoom of x1.3-2.2 "
             "(stage 5c, `refiner_zoom`): scans with finer pixels than any training MR (a PACS's or scanner's bicubic "
             "zoom, 0.4-0.5 mm clinical matrices) were sharpened as if their pixels were as coarse as the training "
             "scans'" + _contrast_clause(cfg) + ". The shipped refiner is this one." if REF.zooming(cfg) else "")
          + " It trains on lower-matrix inputs only; model 2.4.0 also runs it on the resampled path, followed by the "
          "exact bicubic projection, where it gained on every validation subject (the `without the refiner` rows); "
          "passes per path and scale: " + ", ".join(f"{m} x{k}: {v}" for m, by in REF.PASSES.items() for k, v in by.items()) + ".")
    if idx.get("ct_refiner"):
        A(f"- CT refiner (`ct_refiner.onnx`, `training/ct_refiner.py`, model 2.9.0; CT's area and resampled paths): the refiner's "
          f"network ({cfg['ref_blocks']} residual blocks), started from its polished weights"
          + (" (not the pruned ones: fine-tuned from those, it lost 0.15-0.2 dB at x2 on validation and the external GE "
             "slice; card notes)" if REF.pruning(cfg) else "") + f" and fine-tuned for {cfg['ct_ref_iters']} iterations on CT patches of both "
          "told paths (the diffusion frozen; these weights were trained on 2-step samples, the product gives it 1-step ones at x2: "
          "at most 0.05 dB apart on validation and the external slices), the squared error after each sample's own "
          "projection; then that projection again. Passes per path and scale: "
          + ", ".join(f"{m} x{k}: {v}" for m, by in CTR.PASSES.items() for k, v in by.items())
          + " (at x4 it lost 0.3 dB on the external Hitachi slice: card notes).")
    A(f"- Augmentation besides the degradations: 90-degree rotations and flips; for MR, "
      f"{int(cfg.get('coarsen_p', 0) * 100)}% of slices first coarsened x1/2 (antialiased) so the 1 mm scans also "
      f"teach 2 mm anatomy; for CT, {int(cfg.get('refine_p', 0) * 100)}% zoomed (bicubic, x1.3-2.2) so the one "
      "0.96 mm training CT also looks like clinical 0.4-0.5 mm head CTs (and MR the same way in the zoom stages, "
      "above); "
      f"{int(cfg.get('fov_crop_p', 0) * 100)}% cut to a random smaller field of view "
      "(60-100% per side) so anatomy touches the image edge, as in scans that clip the head; intensity scaling.\n")
    A("## Training\n")
    A(f"Hardware: {t['hardware']}.\n")
    names = {"ae": ("autoencoder (PCA fit; 0 iterations = no gradient training)", "ae"),
             "regression": ("regression", "reg"), "diffusion": ("text encoder + U-Net", "dm"),
             "diffusion_zoom": ("text encoder + U-Net, fine-tuned with zoomed MR and photographs"
                                + (" and other contrasts" if cfg.get("contrast_p") else ""), "dm"),
             **{name: (f"degradation detector, {pooling} reader `{name}` (LR patches)", "det") for name, pooling, _ in DET.READERS},
             **{DET.TUNE_STAGE.format(name): (f"degradation detector, {pooling} reader `{name}`, fine-tuned with zoomed and "
                                              "other-contrast slices (LR patches)", "det") for name, pooling, _ in DET.READERS},
             CTD.STAGE[0]: (f"CT degradation detector, mean reader `{CTD.STAGE[0]}` (LR patches)", "det"),
             "refiner": ("MR k-space refiner (frozen diffusion inputs)", "ref"),
             "refiner_polish": ("MR k-space refiner, polished with the squared error"
                                + ("" if REF.pruning(cfg) else " (shipped)"), "ref"),
             REF.PRUNE_STAGE: (f"MR k-space refiner, pruned to {cfg.get('ref_keep_blocks')} residual blocks and fine-tuned"
                               + ("" if REF.zooming(cfg) else " (shipped)"), "ref"),
             REF.ZOOM_STAGE: ("MR k-space refiner, fine-tuned with zoomed MR and photographs"
                              + (" and other contrasts" if cfg.get("contrast_p") else "") + " (shipped)", "ref"),
             CTR.STAGE: ("CT refiner, fine-tuned from the MR refiner on CT's told paths", "ref")}
    rows = []
    for st, v in t["stages"].items():
        label, k = names.get(st, (st, "dm"))
        # the detectors' LR patch sides are detector.PATCH and ct_detector.PATCH
        patch = CTD.PATCH if st == CTD.STAGE[0] else cfg.get(k + "_patch", DET.PATCH)
        rows.append([label, str(v["iters"]) + (" (stopped early)" if v.get("unfinished") else ""),
                     f"{cfg[k + '_batch']} x {patch}^2", _f(v["seconds"], 0)])
    A(_table(["stage", "iterations", "batch x patch", "seconds"], rows))
    if t.get("curve"):
        _curve(A, t["curve"])
    if t.get("notes"):
        A("\nNotes on this run:\n")
        A("\n".join(t["notes"]))
    A(f"\nAdamW, cosine schedule, EMA {cfg['ema']} for regression and diffusion, seed {cfg['seed']}.\n")
    if t.get("ablation"):
        ab = t["ablation"]
        subjects = list(ab[0]["gain_db"])
        A("### Ablation of the training changes (`training/ablation.py`)\n")
        A(f"A small proxy, one seed: the regression network with channels 32/48/64, {ab[0]['iterations']} iterations "
          "of 16 patches, trained only for MR lower-acquisition-matrix inputs at x2; gain over zero-filled Fourier on the "
          "three MR validation subjects after the exact k-space projection. Each arm adds one change to the one above. "
          "Differences under ~0.03 dB are within what a second seed moves.\n")
        A(_table(["arm"] + subjects + ["mean"],
                 [[r["arm"]] + [f"{r['gain_db'][s]:+.3f}" for s in subjects] + [f"**{r['mean_gain_db']:+.3f}**"] for r in ab]))
        A("")
    tm = m["onnxruntime"]["timing"]
    if tm:
        A("## Inference time (onnxruntime-node, CPU)\n")
        A(f"{tm['runtime']}, {tm['threads']} intra-op threads, 512x512 output, latent {tm['latent']}, "
          f"median of 5 runs on the machine that trained (shared with other work: 1-minute load average "
          f"{tm.get('load_average_1min_before', float('nan')):.1f} on 2 cores when measured):\n")
        A(_table(["text encoder", "VAE encode", "U-Net per step", "VAE decode", f"default pipeline ({tm['steps']} steps)", "regression"],
                 [[f"{tm['text_ms']:.0f} ms", f"{tm['vae_encode_ms']:.0f} ms", f"{tm['unet_ms_per_step']:.0f} ms",
                   f"{tm['vae_decode_ms']:.0f} ms", f"**{tm['pipeline_ms']:.0f} ms**", f"{tm['regression_ms']:.0f} ms"]]))
        A("\nData consistency (FFT or block means) and normalisation are not included.\n")
    A("## Results on the validation split\n")
    A("Definitions: " + "; ".join(f"**{k}**: {v}" for k, v in m["definitions"].items()) + ".\n")
    A("Autoencoder ceiling (HR validation slices through encoder and decoder, PSNR in the body mask): " + ", ".join(
        f"{k} {_f(v['psnr_mask'])} dB (worst slice {_f(v['psnr_mask_min'])})" for k, v in m["vae"].items()) + ".\n")
    A("Validation subjects (never trained on): " + ", ".join(
        f"{s} ({v['modality']}, {v['slices']} slices of {v['shape'][0]}x{v['shape'][1]}, prompt `{v['prompt']}`)"
        for s, v in m["validation"].items()) + ".\n")
    A("### Goals: the default pipeline (degradation not told) vs the best classical baseline\n")
    A("Mean over validation subjects. `kspace` = a lower acquisition matrix (central k-space), `bicubic` = "
      "resampled (antialiased bicubic), `area` = CT detector blur + block means. The goals are issue 12's floors "
      "(MR k-space +1 dB at x2 and x4, CT area +2 / +1.5 dB, and never below 0 dB on any input); the product's "
      "long-term aim is +3 / +2 dB on MR.\n")
    A(_goals_table(m["goals"]))
    A("")
    if m.get("external_goals"):
        A("The same goals on the external test subjects (their mean; never trained on: the external test below). Its "
          "MR rows are one Siemens pulsed ASL subject of 72 x 72 slices, its CT rows a Hitachi head and a GE body slice:\n")
        A(_goals_table(m["external_goals"]))
        A("")
    A("### Per validation subject (gain of the default pipeline over the best classical baseline)\n")
    subj = sorted({(r["subject"], r["modality"]) for r in m["sr_subjects"]})
    cols = sorted({(r["degradation"], r["scale"]) for r in m["sr_subjects"]}, key=lambda k: (k[0] == "bicubic", k[0], k[1]))
    rows = []
    for s, mod in subj:
        row = [s, mod]
        for kind, sc in cols:
            rs = [r for r in m["sr_subjects"] if (r["subject"], r["degradation"], r["scale"]) == (s, kind, sc)]
            if not rs:
                row.append("")
                continue
            best = max(r["psnr_mask"] for r in rs if r["method"] in CLASSICAL)
            dif = [r for r in rs if r["method"] == "diffusion"][0]["psnr_mask"]
            row.append(f"{dif - best:+.2f}")
        rows.append(row)
    A(_table(["subject", "modality"] + [f"{k} x{s}" for k, s in cols], rows))
    A("")
    A("### Every method (mean over subjects)\n")
    for k in sorted({(r["modality"], r["degradation"], r["scale"]) for r in m["sr"]}, key=lambda k: (k[0], k[1] == "bicubic", k[1], k[2])):
        rs = [r for r in m["sr"] if (r["modality"], r["degradation"], r["scale"]) == k]
        A(f"**{k[0]}, input made by `{k[1]}`, x{k[2]}** ({rs[0]['subjects']} subjects)\n")
        A(_table(["method", "PSNR mask", "SSIM mask", "PSNR whole", "DC residual (true A)"],
                 [[r["method"], _f(r["psnr_mask"]), _f(r["ssim_mask"], 4), _f(r["psnr_whole"]), _f(r["dc_residual"], 4)] for r in rs]))
        A("")
    if m.get("detector"):
        d = m["detector"]
        A("### Degradation detector (auto mode, MR)\n")
        det = idx["detector"]
        A(d["summary"] + f" Slices whose LR side is under {det['min_side']} pixels are not judged: they run the "
          f"`{det['fallback']}` path. Each reader was trained for {det['train_iterations']} iterations of "
          f"{idx['training']['settings']['det_batch']} LR patches ({DET.PATCH} x {DET.PATCH}; the mean reader and the first evidence reader on the same pairs) from the training acquisitions (VolPack, DIPY) and the photographs, noisy-magnitude copies, masked "
          f"backgrounds ({DET.MASKED:.0%} of slices), blurred copies ({DET.SMOOTHED:.0%}: smoother scans) and random "
          "crops; on fresh pairs of that kind the mixed detector is right " + ", ".join(f"{v:.1%} at x{k}" for k, v in det["train_accuracy"].items())
          + ". It replaced model 2.0.0's logistic model on band powers, which was fitted on a single slice at x4 and called 87% "
          "of resampled x4 Colin27 slices k-space; the validation x4 slices here are 24-38 px, smaller than clinical ones "
          "(48 px and up), so the x4 rows below are the hardest case, not a typical one.\n")
        A(_table(["subject", "scale", "input made by", "slices", "called k-space", "called resampled", "unsure (blind path)",
                  "the other path's loss (dB)"],
                 [[r["subject"], f"x{r['scale']}", r["degradation"], r["slices"], r["kspace"], r["resampled"], r["unsure"],
                   "" if r.get("wrong_path_cost_db") is None else f"{r['wrong_path_cost_db']:.2f}"] for r in d["rows"]]))
        A("")
    if m.get("ct_detector"):
        d, det = m["ct_detector"], idx["ct_detector"]
        A("### Degradation detector (auto mode, CT)\n")
        A(d["summary"] + f" Its reader was trained for {det['train_iterations']} iterations of "
          f"{idx['training']['settings']['det_batch']} LR patches ({CTD.PATCH} x {CTD.PATCH}) from the training CT and the "
          f"photographs ({CTD.PHOTO_SHARE:.0%}, mapped to CT values), zoomed x0.7-2.5, some blurred (soft kernels), with noise "
          "before and after the detector's averaging; on fresh pairs "
          "of that kind it is right " + ", ".join(f"{v:.1%} at x{k}" for k, v in det["train_accuracy"].items())
          + " (many pairs, smooth or noisy, carry no sign of either: the threshold keeps those on the resampled path).\n")
        A(_table(["subject", "scale", "input made by", "slices", "called area", "called resampled"],
                 [[r["subject"], f"x{r['scale']}", r["degradation"], r["slices"], r["area"], r["resampled"]] for r in d["rows"]]))
        A("")
    A("### What the degradation words do (PSNR mask, each kind of input run with each word and its projection)\n")
    wk = sorted({(r["modality"], r["degradation"], r["scale"]) for r in m["words"]})
    words = sorted({r["words"] for r in m["words"]}, key=lambda w: (w != "auto", w))
    rows = []
    for k in wk:
        row = [k[0], k[1], f"x{k[2]}"]
        for w in words:
            v = [r["psnr_mask"] for r in m["words"] if (r["modality"], r["degradation"], r["scale"], r["words"]) == k + (w,)]
            row.append(_f(float(np.mean(v))) if v else "")
        rows.append(row)
    A(_table(["modality", "input made by", "scale"] + [f"told `{w}`" for w in words], rows))
    A("")
    if m.get("external"):
        A("### External test: other scanners and patients\n")
        A("Never trained on. CT (pydicom's Hitachi head and GE body slices): choices were made on them: the CT refine "
          "augmentation of 1.2.0 came from the Hitachi slice, CT's route in auto mode (the resampled path) was chosen on "
          "2.0.0's results on these two slices and the validation slab"
          + (", and the CT detector's threshold and augmentations (model 2.9.0) were set looking at its calls on them" if idx.get("ct_detector") else "")
          + ". MR (dicomnifti's Siemens pulsed ASL EPI: another patient, scanner and sequence than any training or "
          "validation MR, native 72 x 72 acquisitions at 3 mm, every tile of its mosaic with 15% body or more): no stage "
          "trains on it, but it is not blind either: its series was among the extra inputs the detector's designs were "
          "compared on (model 2.3.0), and changes since 2.13.0 were also measured on it (card notes). Its x4 inputs are "
          "18 x 18 pixels, far smaller than clinical ones. Default pipeline and told, both kinds of input, and for MR "
          "the lower matrices also written as magnitudes (as in the magnitude table below); `path taken`: how many "
          "slices the default pipeline sent down each path.\n")
        rows = []
        for k, rs, best, by in _cases(m["external"]):
            modes = next(r for r in rs if r["method"] == "diffusion")["modes"]
            rows.append([k[0], k[1], f"x{k[2]}", _paths_taken(modes), best["method"], _f(best["psnr_mask"]),
                         _f(by["diffusion"]), f"{by['diffusion'] - best['psnr_mask']:+.2f} dB", _f(by["diffusion, told"]),
                         _f(by["regression"])])
        for k, rs, best, by in _cases(m.get("external_magnitude", [])):
            modes = {"kspace": rs[0]["called_kspace"], "bicubic": rs[0]["slices"] - rs[0]["called_kspace"]}
            rows.append([k[0], "kspace (magnitude)", f"x{k[2]}", _paths_taken(modes), best["method"], _f(best["psnr_mask"]),
                         _f(by["diffusion"]), f"{by['diffusion'] - best['psnr_mask']:+.2f} dB", _f(by["diffusion, told"]), ""])
        A(_table(["subject", "input made by", "scale", "path taken", "best classical", "its PSNR", "default", "gain", "told",
                  "regression"], rows))
        A("")
    if m.get("interpolated"):
        A("### Scanner-interpolated MR: slices a scanner zero-filled, cut to a lower matrix or resampled\n")
        A("The MR validation slices as a scanner that zero-fills k-space would reconstruct them from a fraction of their "
          "matrix (`bandlimit.zero_filled_scan`, magnitude), then cut both ways. The HR has nothing beyond the acquired "
          "band, so detail the model adds there is wrong. From 3/8 at x2, each input's own band ends at 0.75 of its "
          "Nyquist frequency: the default pipeline finds the cliff (`bandlimit.py`: a drop of at least 8 dB, on axes of 48 "
          "pixels or more), keeps nothing beyond the input's band along that axis, and in `auto` takes the k-space path "
          "for such a slice (`bandlimit.ROUTE`: a band-limited slice is a scanner's zero-filled reconstruction, on the "
          "k-space grid, and the detector calls most of them resampled). At x4 the input lies inside the acquired band "
          "and shows no cliff; the header's AcquisitionMatrix, when the input keeps it, tells that the input is smaller "
          "than its acquisition, and the output keeps nothing beyond the acquired band (`bandlimit.acquired_band`). From "
          "1/2 at x2 the input is exactly the acquired matrix: nothing tells, and zero-filled Fourier interpolation "
          "reproduces the HR. \"Default\" has the acquired matrix from the header; \"acquired matrix unknown\" is the "
          "same without it; \"no band limit\" has neither step (the detector routes); the two path columns are told the "
          "path, with both limits.\n")
        head = ["subject", "input made by", "scale", "band limit found", "acquired matrix limits", "best classical",
                "its PSNR", "default, no band limit", "default, acquired matrix unknown", "k-space path",
                "resampled path", "default", "gain"]
        for band in sorted({r["band"] for r in m["interpolated"]}):
            rows = []
            for k, rs, best, by in _cases([r for r in m["interpolated"] if r["band"] == band]):
                rows.append([k[0], k[1], f"x{k[2]}", f"{rs[0]['band_limited']} of {rs[0]['slices']}",
                             "yes" if rs[0]["acquired_matrix_limits"] else "no", best["method"], _f(best["psnr_mask"]),
                             _f(by["diffusion, no band limit"]), _f(by["diffusion, acquired matrix unknown"]),
                             _f(by["told kspace"]), _f(by["told bicubic"]), _f(by["diffusion"]),
                             f"{by['diffusion'] - best['psnr_mask']:+.2f} dB"])
            A(f"Zero-filled from {band:g} of the matrix:\n")
            A(_table(head, rows))
            A("")
    if m.get("magnitude_matrices"):
        A("### MR lower matrices reconstructed as magnitudes\n")
        A("The tables above cut a lower matrix as the real part of the inverse FFT of the central k-space (what the "
          "k-space projection assumes), stored as an unsigned DICOM file stores it (its ringing below zero clipped). MR "
          "code usually writes the magnitude, |IFFT|, whose ringing is folded above zero; a scan acquired at the lower "
          "matrix is such a magnitude too. The same validation slices cut that way: how the default pipeline routes "
          "them, and the k-space path told.\n")
        rows = []
        for k, rs, best, by in _cases(m["magnitude_matrices"]):
            rows.append([k[0], f"x{k[2]}", f"{rs[0]['called_kspace']} of {rs[0]['slices']}", best["method"],
                         _f(best["psnr_mask"]), _f(by["diffusion"]), f"{by['diffusion'] - best['psnr_mask']:+.2f} dB",
                         _f(by["diffusion, told"]), f"{by['diffusion, told'] - best['psnr_mask']:+.2f} dB"])
        A(_table(["subject", "scale", "called k-space", "best classical", "its PSNR", "default", "gain", "told k-space",
                  "gain told"], rows))
        A("")
    if m.get("other_resamplers"):
        A("### MR resampled by other downsamplers\n")
        A("The resampled rows above are made by the contract's antialiased bicubic (PyTorch's and PIL's). The same validation "
          "slices resampled by other antialiased downsamplers (`degrade.OTHER_RESAMPLERS`: PIL's Lanczos, skimage's "
          "`resize` (a Gaussian of sigma (s - 1) / 2 input pixels, then the cubic spline), bilinear): how the default "
          "pipeline routes them, and the resampled path told. The resampled path projects onto the contract's bicubic "
          "blended with skimage's Gaussian + spline by the resampler detector's P(Gaussian + spline) at x2 "
          "(`training/resampler_detector.py`; `share`: its mean over the slices, 0 where it does not judge); for "
          "Lanczos and bilinear inputs the projection enforces an operator that did not make them.\n")
        rows = []
        for name in dict.fromkeys(r["made_by"] for r in m["other_resamplers"]):
            for k, rs, best, by in _cases([r for r in m["other_resamplers"] if r["made_by"] == name]):
                rows.append([name, k[0], f"x{k[2]}", f"{rs[0]['called_kspace']} of {rs[0]['slices']}",
                             f"{rs[0].get('gaussian_share', 0.0):.2f}", best["method"],
                             _f(best["psnr_mask"]), _f(by["diffusion"]), f"{by['diffusion'] - best['psnr_mask']:+.2f} dB",
                             _f(by["diffusion, told"]), f"{by['diffusion, told'] - best['psnr_mask']:+.2f} dB"])
        A(_table(["downsampler", "subject", "scale", "called k-space", "share", "best classical", "its PSNR", "default",
                  "gain", "told resampled", "gain told"], rows))
        A("")
    if m.get("oversampled"):
        A("### MR finer than the training scans (oversampled)\n")
        A("The MR validation slices enlarged by a bicubic zoom (as a PACS or a scanner with a non-Fourier kernel enlarges "
          "a scan: pixels 1.5 or 2 times finer than the scan's own, anatomy smoother per pixel; `evaluate.zoomed_subjects`), "
          "cut back to their size about the centre, then made into inputs by each degradation's contract and stored: how "
          "the default pipeline routes them, and the path told. Cut at x2 from a x2-zoomed scan, the input holds nearly "
          "all the scan has, so zero-filled Fourier interpolation nearly reproduces it and detail added beyond it is "
          "error; the band limit does not fire, since a bicubic zoom rolls the spectrum off rather than cutting it.\n")
        rows = []
        for z in sorted({r["zoom"] for r in m["oversampled"]}):
            for k, rs, best, by in _cases([r for r in m["oversampled"] if r["zoom"] == z]):
                rows.append([f"x{z:g}", "lower matrix" if k[1] == "kspace" else "resampled", k[0], f"x{k[2]}",
                             f"{rs[0]['called_kspace']} of {rs[0]['slices']}", best["method"], _f(best["psnr_mask"]),
                             _f(by["diffusion"]), f"{by['diffusion'] - best['psnr_mask']:+.2f} dB",
                             _f(by["diffusion, told"]), f"{by['diffusion, told'] - best['psnr_mask']:+.2f} dB"])
        A(_table(["zoom", "input made by", "subject", "scale", "called k-space", "best classical", "its PSNR", "default",
                  "gain", "told", "gain told"], rows))
        A("")
    A("### Steps and samples (MR k-space and CT area inputs; mean of K samples, then the auto projection)\n")
    agg = {}
    for r in m["steps"]:
        agg.setdefault((r["modality"], r["scale"], r["steps"], r["samples"]), []).append(r["psnr_mask"])
    A(_table(["modality", "scale", "steps", "samples", "PSNR mask (mean over subjects)"],
             [[k[0], f"x{k[1]}", k[2], k[3], _f(float(np.mean(v)))] for k, v in sorted(agg.items())]))
    A("")
    A("### Text conditioning ablation (default pipeline)\n")
    agg = {}
    for r in m["text"]:
        agg.setdefault((r["modality"], r["scale"], r["prompt"].split(":")[0]), []).append(r["psnr_mask"])
    A(_table(["modality", "scale", "prompt", "PSNR mask (mean over subjects)"],
             [[k[0], f"x{k[1]}", k[2], _f(float(np.mean(v)))] for k, v in sorted(agg.items())]))
    A("")
    A("### Uncertainty: calibrated SD vs the error of the mean\n")
    gw = m["calibration_target"].get("gradient_weight", 0)
    A(f"K samples with different seeds in the default mode; the map is their per-pixel SD"
      + (f", added in quadrature to {gw:g} x the local gradient of their mean (the root mean square of its gradient "
         "magnitude over 3 x 3 pixels: errors gather at edges, which the samples' spread marks only weakly; "
         "`evaluate.gradient_rms`, `uncertainty.gradient_weight`)," if gw else "")
      + f" times a conformal scale "
      f"per modality, scale and path taken (the detector's route; shipped in `model_index.json` `uncertainty.sd_scale_path`: "
      + ", ".join(f"{mod} {path} x{s} {v:.2f}" for mod, paths in m.get("calibration_path", {}).items()
                  for path, d in paths.items() for s, v in d.items())
      + "; `uncertainty.sd_scale`, pooled over paths, for a path validation did not take: "
      + ", ".join(f"{mod} x{s} {v:.2f}" for mod, d in m["calibration"].items() for s, v in d.items())
      + f") chosen so that {m['calibration_target']['band_sd']:g} SD hold {m['calibration_target']['coverage']:.0%} of the "
      "validation errors. Coverage below is leave-one-subject-out: each subject's row uses the scales fitted on the "
      "other subjects only, so it estimates coverage on an unseen scan (CT has one validation subject, so its rows are "
      "in-sample and say little). The pooled column is the same with one scale for both paths, as model 2.4.0 shipped.\n")
    A(_table(["modality", "scale", "subject", "input made by", "path taken", "K", "Pearson(map, |error|)", "raw coverage (2 SD)",
              "calibrated coverage (2 SD, LOSO)", "pooled scale (LOSO)", "LOSO scale of the path"],
             [[r["modality"], f"x{r['scale']}", r["subject"], r["degradation"], r.get("path", "-"), r["samples"],
               _f(r["pearson_sd_abs_error"], 3), f"{r['coverage_raw']:.1%}", f"{r['coverage_calibrated_loso']:.1%}",
               f"{r['coverage_pooled_loso']:.1%}" if "coverage_pooled_loso" in r else "-", _f(r["scale_loso"])]
              for r in m["uncertainty"]]))
    A("")
    if m.get("external_uncertainty"):
        A("The external test subjects (never trained on, and the calibration never saw them), with the shipped scales "
          "(fitted on every validation subject):\n")
        A(_table(["modality", "scale", "subject", "input made by", "path taken", "K", "Pearson(map, |error|)",
                  "raw coverage (2 SD)", "calibrated coverage (2 SD)"],
                 [[r["modality"], f"x{r['scale']}", r["subject"], r["degradation"], r["path"], r["samples"],
                   _f(r["pearson_sd_abs_error"], 3), f"{r['coverage_raw']:.1%}", f"{r['coverage_calibrated']:.1%}"]
                  for r in m["external_uncertainty"]]))
        A("")
    A("### ONNX parity (onnxruntime-node vs PyTorch reference tensors)\n")
    A(_table(["tensor", "max abs diff", "relative to max |ref|"],
             [[k, f"{v['max_abs']:.2e}", f"{v['rel_to_max']:.2e}"] for k, v in m["onnxruntime"]["parity"].items()]))
    A("")
    A("## Limitations\n")
    A("- Not a medical device; not for diagnostic use. Super-resolved detail is an estimate, not a measurement: "
      "look at the uncertainty map and at the input.")
    A("- Auto mode on MR depends on the degradation detector. " + (m["detector"]["summary"] if m.get("detector") else "")
      + " It was trained on two training acquisitions and photographs (some blurred to stand for smoother scans); scans that were interpolated by the scanner with a "
      "non-Fourier kernel (like the Colin27 template, left out of its training for that reason) look resampled to it, and so do "
      "native acquisitions whose k-space filters roll their spectra off, some slices acquired at the lower matrix itself, and "
      "lower matrices written as magnitudes on masked, smooth images (the magnitude table); small, noisy resampled slices "
      "stored clipped at zero can look k-space to it (the detector table; see the notes under Training), and so can very small "
      "ones: resampled 36 x 36 tiles of Siemens PASL mosaics (no step trains on them) were all called k-space, -2.6 dB against "
      "Lanczos (notes under Training). Cut from a scan the scanner zero-filled at a scale no larger than its zero-filling, a slice cannot gain over "
      "zero-filled Fourier, which reproduces the scan; any added detail is error there (the Scanner-interpolated MR tables, zero-filled "
      "from 1/2 at x2). Scans enlarged by a non-Fourier kernel (a PACS's or scanner's bicubic zoom) are oversampled: the model "
      "still adds some detail such a scan does not have (since 2.14.0 less: the zoom stages), and the detector, which never "
      "saw such scans, calls many of them the wrong way; at x2 from a x2-zoomed scan they lose to the best classical baseline "
      "(the oversampled table). When you know how a slice was made, say so (`--degradation`).")
    A("- Band limit (`bandlimit.py`): an MR input whose own spectrum ends inside its band is taken for a scanner's zero-filled "
      "reconstruction, gets nothing beyond its band, and in auto mode takes the k-space path. Resampled copies of such scans "
      "then lose to Lanczos (the Scanner-interpolated MR tables, zero-filled from 3/8 at x2) unless told `--degradation bicubic`; "
      "an input that is exactly the acquired matrix shows no band limit, and some zero-filled scans with sharp edges and little "
      "noise fall under the 8 dB threshold. The acquired-matrix limit needs the source's AcquisitionMatrix and "
      "InPlanePhaseEncodingDirection: an input written without them (or with them rewritten for its own matrix) is treated as "
      "an acquisition.")
    A("- The resampled path projects onto the contract's antialiased bicubic (PyTorch's and PIL's), at x2 blended with "
      "skimage's `resize` (a narrow Gaussian, then the cubic spline) by the resampler detector's P: an MR slice another "
      "downsampler made (PIL's Lanczos, bilinear) is projected onto an operator that did not make it, an unsure reader costs "
      "contract slices about 0.1 dB at x2, and the detector calls more of the other downsamplers' noisy slices k-space: "
      "skimage-made Siemens slices lose 1.1 dB at x2 there, Lanczos-made ones 2.7 dB at x4 (the \"MR resampled by other "
      "downsamplers\" table).")
    A("- CT: one real volume, one scanner, head only; validation is a held-out slab of the same patient, whose "
      "neighbouring slices (4 either side excluded) trained the networks. The CT gains therefore likely "
      "overstate what to expect on other patients, scanners and reconstruction kernels; the external CT test "
      "is two single slices from other scanners and patients: a sign, not a measurement.")
    A("- MR: training is two T1 brain volumes (Colin27, a smoothed 27-scan template, dominates) and a few DWI b0 slices; "
      "validation is three other subjects (T1 2x2x3 mm, Siemens DWI b0, EPI), all brain. Knee, spine and body MR are untrained."
      + _external_mr_limit(m))
    A(f"- Small models trained for about {t['seconds'] / 60:.0f} minutes ({t['hardware'].split(';')[0]}): quality is "
      "limited by model size, data and training time; the goals table says plainly where the goals were not met, and the "
      "learning curve shows whether the gain was still growing.")
    A("- Trained degradations are simulated (k-space truncation, blur + area, resampling); real scanner "
      "reconstructions (filters, parallel imaging, partial Fourier, motion) differ.")
    A("- Text conditioning: the data hold one CT and a few MR contrasts, so the content prompt mostly tells the model the "
      "modality; the task words are what changes its behaviour (table above).\n")
    A("## Reproduce\n")
    A("```\n/usr/bin/python3 training/recipe.py --config default --out models/medsr-ldm-v2\n```\n")
    A("See `training/README.md`.")
    open(path, "w").write("\n".join(L) + "\n")

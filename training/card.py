"""Writes the model card (models/README.md) from model_index.json: every number comes from the
recipe's own evaluation."""
import json

import prompt as P
from evaluate import MAIN_KIND


def _f(x, d=2):
    return f"{x:.{d}f}"


def _table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _text_effect(m):
    """How much the prompt moves PSNR: the largest change for an empty and for a wrong-modality prompt."""
    out = []
    for label, key in (("an empty prompt", "empty"), ("the wrong modality", "wrong")):
        d = [r["psnr_mask"] - c["psnr_mask"] for r in m["text"] if r["prompt"].startswith(key)
             for c in m["text"] if c["prompt"].startswith("correct") and (c["modality"], c["scale"]) == (r["modality"], r["scale"])]
        if d:
            out.append(f"{label} changes PSNR by {min(d):+.2f} to {max(d):+.2f} dB")
    return "; ".join(out) or "not measured"


def _goal_words(m, modality):
    """'+0.12 dB at x2, +0.34 dB at x4 (goals +3, +2: not met)' from the goals table."""
    gs = [g for g in m["goals"] if g["modality"] == modality]
    met = all(g["gain_met"] for g in gs)
    return (", ".join(f"{g['gain_db']:+.2f} dB at x{g['scale']}" for g in gs) +
            " (goals " + ", ".join(f"+{g['goal_gain_db']:g}" for g in gs) + (": met)" if met else ": not met)"))


def _external_summary(rows, key):
    rows = [r for r in rows if (r["subject"], r["modality"], r["degradation"], r["scale"]) == key]
    by = {r["method"]: r for r in rows}
    base = max((r for r in rows if r["method"] in ("bicubic", "lanczos", "zero-filled Fourier")), key=lambda r: r["psnr_mask"])
    gain = by["diffusion"]["psnr_mask"] - base["psnr_mask"]
    return [key[0], key[1], str(rows[0]["slices"]), f"x{key[3]}", base["method"], _f(base["psnr_mask"]),
            _f(by["diffusion"]["psnr_mask"]), f"{gain:+.2f} dB", _f(by["regression + DC"]["psnr_mask"])]


def _curve(A, rows):
    """The learning curve (training/curve.py) and how much each stage's second half still moved it."""
    cases = [k for k in rows[0] if k not in ("stage", "iteration")]
    A("\nValidation gain over the best classical baseline while training (dB, PSNR in the body mask after "
      "data consistency; EMA weights; the diffusion rows use the default sampler, 1 sample):\n")
    A(_table(["stage", "iteration"] + cases, [[r["stage"], str(r["iteration"])] + [f"{r[c]:+.2f}" for c in cases]
                                              for r in rows]))
    words = []
    for stage in ("regression", "diffusion"):
        st = [r for r in rows if r["stage"] == stage]
        if len(st) < 3:
            continue
        mid, end = st[(len(st) - 1) // 2], st[-1]
        words.append(f"{stage} {mid['iteration']} -> {end['iteration']}: "
                     + ", ".join(f"{c} {end[c] - mid[c]:+.2f}" for c in cases))
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
    A("Research software. **Not for diagnostic use.** The models were trained in about "
      f"{t['seconds'] / 60:.0f} minutes of CPU on roughly {sum(d['slices'] for d in t['data'])} slices of "
      f"{len(t['data'])} real scans (one real CT volume). Every number below is produced by "
      "`training/recipe.py` (see `training/README.md`), on the validation split described below.\n")
    A("## What it does\n")
    A("A low-resolution slice (h x w) is normalised, upsampled to x_up (H x W = s h x s w, s = 2 or 4: "
      "zero-filled Fourier interpolation for k-space data (MR), the contract's bicubic otherwise), encoded to a latent condition, refined by a few DDIM steps of a "
      "text-conditioned latent U-Net that start from the noised condition (SDEdit/CCDF start, "
      f"init_strength {cfg['init_strength']}, {cfg['default_steps']} steps by default), decoded, and "
      "projected onto the measured data (data consistency in pixel space). A one-step regression network "
      "on the same data is shipped as the honest baseline. Graph names, inputs and outputs, pixel "
      "normalisation and the prompt rule: `docs/model-contract.md`.\n")
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
    A("Training (randomised per slice, scales 2 and 4 in-plane, after random 90-degree rotations and "
      "flips; intensity scaling of HR and input together):\n")
    A("- 30%: antialiased bicubic downsampling, sometimes with Gaussian noise.")
    A("- MR, 70%: k-space truncation to the central (H/s x W/s) block (a lower acquisition matrix; the "
      "unpaired Nyquist line is not acquired), 20% with partial Fourier (62.5-90% of rows, zero-filled), "
      "50% with complex Gaussian k-space noise and magnitude reconstruction.")
    A("- CT, 70%: Gaussian blur (sigma 0-1 HR pixel) then s x s area (block-mean) downsampling, 60% with "
      "2-25 HU Gaussian noise.\n")
    A(f"Evaluation uses the fixed operators of the contract without noise, exactly as `medsr eval` does: MR "
      f"`kspace` (the central block including the unpaired Nyquist line), CT `area` with blur sigma "
      f"{idx['degradations']['ct']['blur_sigma_px']} HR pixel, and `bicubic` for both.\n")
    A("## Architecture\n")
    p, fl, sz = m["parameters"], m["flops_512"], m["sizes_bytes"]
    rows = [[k, f"{p[k] / 1e6:.3f} M", f"{fl[k] / 1e9:.2f}", f"{sz[k] / 1e6:.2f} MB"] for k in p]
    A(_table(["graph", "parameters", "GFLOP per call at 512x512 output", "ONNX size"], rows))
    A(f"\nTotal shipped: {sz['total'] / 1e6:.2f} MB (budget 40 MB). The U-Net runs "
      f"{cfg['default_steps']} times per slice by default (x2 with classifier-free guidance != 1).\n")
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
      "noisy latent (exactly the inference start state).")
    A("- Regression baseline: the same U-Net body (no time, no text) on the 4x4 space-to-depth of "
      "x_up, predicting a residual; same data, degradations, patches and optimiser.")
    A(f"- Augmentation besides the degradations: 90-degree rotations and flips; for MR, "
      f"{int(cfg.get('coarsen_p', 0) * 100)}% of slices first coarsened x1/2 (antialiased) so the 1 mm scans also "
      f"teach 2 mm anatomy; for CT, {int(cfg.get('refine_p', 0) * 100)}% zoomed (bicubic, x1.3-2.2) so the one "
      "0.96 mm training CT also looks like clinical 0.4-0.5 mm head CTs; "
      f"{int(cfg.get('fov_crop_p', 0) * 100)}% cut to a random smaller field of view "
      "(60-100% per side) so anatomy touches the image edge, as in scans that clip the head; intensity scaling.\n")
    A("## Training\n")
    A(f"Hardware: {t['hardware']}.\n")
    names = {"ae": ("autoencoder (PCA fit; 0 iterations = no gradient training)", "ae"),
             "regression": ("regression", "reg"), "diffusion": ("text encoder + U-Net", "dm")}
    rows = []
    for st, v in t["stages"].items():
        label, k = names.get(st, (st, "dm"))
        rows.append([label, str(v["iters"]) + (" (stopped early)" if v.get("unfinished") else ""),
                     f"{cfg[k + '_batch']} x {cfg[k + '_patch']}^2", _f(v["seconds"], 0)])
    A(_table(["stage", "iterations", "batch x patch", "seconds"], rows))
    if t.get("curve"):
        _curve(A, t["curve"])
    if t.get("notes"):
        A("\nNotes on this run:\n")
        A("\n".join(t["notes"]))
    A(f"\nAdamW, cosine schedule, EMA {cfg['ema']} for regression and diffusion, seed {cfg['seed']}.\n")
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
    A("### Autoencoder ceiling (reconstruction of the HR validation slices)\n")
    A(_table(["modality", "PSNR in body mask", "worst slice", "PSNR whole frame"],
             [[k, _f(v["psnr_mask"]), _f(v["psnr_mask_min"]), _f(v["psnr_whole"])] for k, v in m["vae"].items()]))
    A("")
    A("### Goals (default diffusion pipeline vs the best classical baseline, main degradation)\n")
    A(_table(["modality", "scale", "best classical", "its PSNR", "diffusion", "gain", "goal", "met", "SSIM above", "regression + DC", "diffusion - regression"],
             [[g["modality"], f"x{g['scale']}", g["best_classical"], _f(g["best_classical_psnr"]), _f(g["diffusion_psnr"]),
               f"{g['gain_db']:+.2f} dB", f"+{g['goal_gain_db']} dB", "yes" if g["gain_met"] else "**no**",
               "yes" if g["ssim_above_baseline"] else "**no**", _f(g["regression_psnr"]),
               f"{g['diffusion_minus_regression_db']:+.2f} dB"] for g in m["goals"]]))
    A("")
    ibp = {(r["modality"], r["scale"]): r["psnr_mask"] for r in m["sr"]
           if r["method"] == "bicubic + DC" and r["degradation"] == MAIN_KIND.get(r["modality"])}
    if ibp:
        A("The goals' baselines are bicubic, Lanczos and zero-filled Fourier (issue 3). To see how much of "
          "a gain the exact data consistency gives alone: bicubic followed by the same projection (`bicubic + DC` "
          "below, a classical back-projection) reaches " + ", ".join(
              f"{mod} x{s} {_f(v)} dB" for (mod, s), v in sorted(ibp.items())) + "; the network's own share is "
          "the difference between that and `diffusion`.\n")
    A("### Super-resolution vs every baseline\n")
    keys = sorted({(r["modality"], r["degradation"], r["scale"]) for r in m["sr"]}, key=lambda k: (k[0], k[1] == "bicubic", k[2]))
    for k in keys:
        rows = [r for r in m["sr"] if (r["modality"], r["degradation"], r["scale"]) == k]
        A(f"**{k[0]}, degradation `{k[1]}`, x{k[2]}** ({m['validation'][k[0]]['slices']} slices)\n")
        A(_table(["method", "PSNR mask", "SSIM mask", "PSNR whole", "DC residual"],
                 [[r["method"], _f(r["psnr_mask"]), _f(r["ssim_mask"], 4), _f(r["psnr_whole"]), _f(r["dc_residual"], 4)] for r in rows]))
        A("")
    if m.get("external"):
        A("### External test: other vendors' scanners, sequences and patients\n")
        A("Never trained on: the external test subjects of the data table above. No sampler setting was chosen on "
          "them. One training choice was: the CT refine augmentation (1.2.0) was added after 1.1.0 scored below "
          "bicubic + DC on the Hitachi head CT at x2, so that slice is no longer an untouched test. Main degradation, "
          "same definitions as above; the prompt is the one the product builds from each file's header.\n")
        A(_table(["subject", "modality", "slices", "scale", "best classical", "its PSNR", "diffusion", "gain", "regression + DC"],
                 [_external_summary(m["external"], k) for k in
                  sorted({(r["subject"], r["modality"], r["degradation"], r["scale"]) for r in m["external"]})]))
        A("")
        keys = sorted({(r["subject"], r["modality"], r["degradation"], r["scale"]) for r in m["external"]})
        for k in keys:
            rows = [r for r in m["external"] if (r["subject"], r["modality"], r["degradation"], r["scale"]) == k]
            A(f"**{k[0]} ({k[1]}), degradation `{k[2]}`, x{k[3]}** ({rows[0]['slices']} slices)\n")
            A(_table(["method", "PSNR mask", "SSIM mask", "PSNR whole", "DC residual"],
                     [[r["method"], _f(r["psnr_mask"]), _f(r["ssim_mask"], 4), _f(r["psnr_whole"]), _f(r["dc_residual"], 4)] for r in rows]))
            A("")
    A("### Steps and samples (main degradation; mean of K samples, then data consistency)\n")
    A(_table(["modality", "scale", "steps", "samples", "PSNR mask", "SSIM mask"],
             [[r["modality"], f"x{r['scale']}", r["steps"], r["samples"], _f(r["psnr_mask"]), _f(r["ssim_mask"], 4)] for r in m["steps"]]))
    A("")
    if m.get("strength"):
        A(f"### Start strength (init_strength; default {cfg['init_strength']}, {cfg['default_steps']} steps, 1 sample, with DC)\n")
        A(_table(["modality", "scale", "init_strength", "PSNR mask", "SSIM mask"],
                 [[r["modality"], f"x{r['scale']}", r["init_strength"], _f(r["psnr_mask"]), _f(r["ssim_mask"], 4)] for r in m["strength"]]))
        A("")
    A("### Data-consistency residual of the diffusion output (pixel space)\n")
    A(_table(["modality", "degradation", "scale", "before DC", "after DC"],
             [[r["modality"], r["degradation"], f"x{r['scale']}", _f(r["before"], 4), _f(r["after"], 6)] for r in m["dc"]]))
    A("\nEvery DC is an exact projection onto {x : A x = lr}, as in the TypeScript pipeline: k-space replacement "
      "for `kspace`, conjugate gradients on (A A^T) y = lr - A x (relative tolerance 1e-6) for blurred `area` and "
      "antialiased `bicubic`; the residual after DC is therefore at the level of that tolerance.\n")
    A("### Text conditioning ablation (default pipeline)\n")
    A(_table(["modality", "scale", "prompt", "PSNR mask", "SSIM mask"],
             [[r["modality"], f"x{r['scale']}", r["prompt"], _f(r["psnr_mask"]), _f(r["ssim_mask"], 4)] for r in m["text"]]))
    A("")
    A("### Uncertainty (std over K samples) vs absolute error of their mean\n")
    A(_table(["modality", "scale", "steps", "K", "Pearson r inside mask", "mean std", "mean |error|"],
             [[r["modality"], f"x{r['scale']}", r["steps"], r["samples"], _f(r["pearson_std_abs_error"], 3), _f(r["mean_std"], 4), _f(r["mean_abs_error"], 4)] for r in m["uncertainty"]]))
    A("")
    A("### ONNX parity (onnxruntime-node vs PyTorch reference tensors)\n")
    A(_table(["tensor", "max abs diff", "relative to max |ref|"],
             [[k, f"{v['max_abs']:.2e}", f"{v['rel_to_max']:.2e}"] for k, v in m["onnxruntime"]["parity"].items()]))
    A("")
    A("## Limitations\n")
    A("- Not a medical device; not for diagnostic use. Super-resolved detail is an estimate, not a measurement: "
      "look at the uncertainty map and at the data-consistent input.")
    A("- CT: one real volume, one scanner, head only; validation is a held-out slab of the same patient, whose "
      "neighbouring slices (4 either side excluded) trained the networks. The CT gains above therefore likely "
      "overstate what to expect on other patients, scanners and reconstruction kernels. The external CT test "
      "(above) is two single slices from other scanners and patients: a sign, not a measurement.")
    A(f"- MR: {len([d for d in t['data'] if 'ct' not in d['subject']])} training sources, mostly T1 brain "
      "(Colin27 dominates); DWI b0 from 10 slices; no knee/spine/body data, so prompts for other anatomy "
      "are tokenised but untrained.")
    A(f"- Small models trained for about {t['seconds'] / 60:.0f} minutes ({t['hardware'].split(';')[0]}): quality is "
      "limited by model size, data and training time, and the goals table above says plainly where the goals were "
      "not met. The learning curve under Training shows which of these binds: a gain that has stopped growing is "
      "not waiting for more iterations.")
    A("- Trained degradations are simulated (k-space truncation, blur + area, bicubic); real scanner "
      "reconstructions (filters, parallel imaging, motion) differ.")
    A("- The validation MR subject is 2 x 2 mm (128 x 128) with the face cut off sharply at the edge of the "
      "field of view: the 'HR' reference is itself low resolution (x2 means 4 mm -> 2 mm, x4 8 mm -> 2 mm), "
      "so much of what is lost is fine cortical detail that no model can infer reliably. Gain of the default "
      "pipeline over zero-filled Fourier interpolation there: " + _goal_words(m, "MR") + ".")
    A("- Text conditioning: " + _text_effect(m) + " (ablation above); the data hold one CT and a few MR contrasts, "
      "so the prompt mostly tells the model the modality.\n")
    A("## Reproduce\n")
    A("```\n/usr/bin/python3 training/recipe.py --config default --out models/medsr-ldm-v1\n```\n")
    A("See `training/README.md`.")
    open(path, "w").write("\n".join(L) + "\n")

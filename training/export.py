"""Export every graph to ONNX (opset 17) + model_index.json + reference tensors."""
import hashlib
import json
import os
import shutil
import time

import numpy as np
import torch

import bandlimit as BL
import ct_detector as CTD
import resampler_detector as RD
import degrade as D
import detector as DET
import evaluate
import pipeline as PL
import prompt as P

MODEL_VERSION = "2.16.0"


class _TextWrap(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids):
        return self.m(input_ids)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def _export(model, args, path, in_names, out_names, dyn):
    torch.onnx.export(model, args, path, opset_version=17, input_names=in_names,
                      output_names=out_names, dynamic_axes=dyn, do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(path))


def export_graphs(out, cfg, ae, te, un, rg, det, ref=None, ct_det=None, ct_ref=None, rs_det=None):
    C, f, L, Dm = cfg["latent_ch"], cfg["f"], P.MAX_LENGTH, cfg["text_dim"]
    img = {0: "B", 2: "H", 3: "W"}
    lat = {0: "B", 2: "h", 3: "w"}
    x = torch.randn(1, 1, 64, 64)
    z = torch.randn(1, C, 16, 16)
    ids = torch.tensor([P.tokenize("mr head t1 axial")])
    emb = te(ids)
    _export(_TextWrap(te), (ids,), os.path.join(out, "text_encoder.onnx"), ["input_ids"],
            ["text_embeds"], {"input_ids": {0: "B"}, "text_embeds": {0: "B"}})
    _export(ae.encoder, (x,), os.path.join(out, "vae_encoder.onnx"), ["image"], ["latent"],
            {"image": img, "latent": lat})
    _export(ae.decoder, (z,), os.path.join(out, "vae_decoder.onnx"), ["latent"], ["image"],
            {"latent": lat, "image": img})
    _export(un, (z, z, torch.tensor([10.0]), emb), os.path.join(out, "unet.onnx"),
            ["sample", "condition", "timestep", "text_embeds"], ["model_output"],
            {"sample": lat, "condition": lat, "timestep": {0: "B"}, "text_embeds": {0: "B"},
             "model_output": lat})
    # ONNX forbids one value name for a graph input and output: the regression output is `output`
    _export(rg, (x,), os.path.join(out, "regression.onnx"), ["image"], ["output"],
            {"image": img, "output": img})
    for name, net in (("detector", det), ("ct_detector", ct_det), ("resampler_detector", rs_det)):
        if net is not None:
            _export(DET.DetectorGraph(net), (x,), os.path.join(out, name + ".onnx"), ["image"], ["logits"],
                    {"image": img, "logits": {0: "B"}})
    for name, net in (("refiner", ref), ("ct_refiner", ct_ref)):
        if net is not None:
            _export(net, (x, torch.tensor([2.0])), os.path.join(out, name + ".onnx"), ["image", "scale"], ["output"],
                    {"image": img, "scale": {0: "B"}, "output": img})
    t = lambda *s: {"type": "float32", "shape": list(s)}
    spec = {
        "text_encoder": ({"input_ids": {"type": "int64", "shape": ["B", L]}},
                         {"text_embeds": t("B", L, Dm)}),
        "vae_encoder": ({"image": t("B", 1, "H", "W")}, {"latent": t("B", C, "H/%d" % f, "W/%d" % f)}),
        "vae_decoder": ({"latent": t("B", C, "H/%d" % f, "W/%d" % f)}, {"image": t("B", 1, "H", "W")}),
        "unet": ({"sample": t("B", C, "h", "w"), "condition": t("B", C, "h", "w"),
                  "timestep": t("B"), "text_embeds": t("B", L, Dm)},
                 {"model_output": t("B", C, "h", "w")}),
        "regression": ({"image": t("B", 1, "H", "W")}, {"output": t("B", 1, "H", "W")}),
        "detector": ({"image": t("B", 1, "H", "W")}, {"logits": t("B", len(DET.SCALES))}),
    }
    if ct_det is not None:
        spec["ct_detector"] = spec["detector"]
    if rs_det is not None:
        spec["resampler_detector"] = ({"image": t("B", 1, "H", "W")}, {"logits": t("B", len(RD.SCALES))})
    if ref is not None:
        spec["refiner"] = ({"image": t("B", 1, "H", "W"), "scale": t("B")}, {"output": t("B", 1, "H", "W")})
    if ct_ref is not None:
        spec["ct_refiner"] = spec["refiner"]
    graphs = {}
    for name, (ins, outs) in spec.items():
        fpath = os.path.join(out, name + ".onnx")
        graphs[name] = {"file": name + ".onnx", "sha256": sha256(fpath), "bytes": os.path.getsize(fpath),
                        "inputs": ins, "outputs": outs}
    return graphs


def _save(dirp, name, tensor):
    a = tensor.detach().cpu().numpy() if torch.is_tensor(tensor) else np.asarray(tensor)
    if a.dtype == np.int64:
        a.astype("<i8").tofile(os.path.join(dirp, name + ".i64"))
        return {"shape": list(a.shape), "type": "int64", "file": name + ".i64"}
    a.astype("<f4").tofile(os.path.join(dirp, name + ".f32"))
    return {"shape": list(a.shape), "type": "float32", "file": name + ".f32"}


def phantom(n=64, seed=0):
    """A synthetic head-like phantom (no patient data in the repository)."""
    g = np.random.default_rng(seed)
    y, x = np.mgrid[-1:1:n * 1j, -1:1:n * 1j]
    img = np.zeros((n, n), np.float32)
    img[(x / 0.85) ** 2 + (y / 0.95) ** 2 < 1] = 180.0
    img[(x / 0.78) ** 2 + (y / 0.88) ** 2 < 1] = 90.0
    for _ in range(6):
        cx, cy, r = g.uniform(-0.5, 0.5), g.uniform(-0.5, 0.5), g.uniform(0.05, 0.2)
        img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = g.uniform(40, 220)
    return torch.from_numpy(img)[None, None]


@torch.no_grad()
def write_references(out, cfg, ae, te, un, rg, sf, det=None, ref_net=None, ct_det=None, ct_ref=None, rs_det=None):
    ref = os.path.join(out, "reference")
    shutil.rmtree(ref, ignore_errors=True)     # a re-export with fewer steps must not leave stale tensors
    os.makedirs(ref)
    C = cfg["latent_ch"]
    g = torch.Generator().manual_seed(7)
    x = torch.randn(1, 1, 32, 32, generator=g) * 0.5
    z = torch.randn(2, C, 8, 8, generator=g)
    c = torch.randn(2, C, 8, 8, generator=g)
    ts = torch.tensor([299.0, 74.0])
    ids = torch.tensor([P.tokenize("mr head t1 axial"), P.tokenize("")])
    emb = te(ids)
    cases = {
        "text_encoder": ({"input_ids": ids}, {"text_embeds": emb}),
        "vae_encoder": ({"image": x}, {"latent": ae.encoder(x)}),
        "vae_decoder": ({"latent": z[:1]}, {"image": ae.decoder(z[:1])}),
        "unet": ({"sample": z, "condition": c, "timestep": ts, "text_embeds": emb},
                 {"model_output": un(z, c, ts, emb)}),
        "regression": ({"image": x}, {"output": rg(x)}),
    }
    for name, net in (("refiner", ref_net), ("ct_refiner", ct_ref)):
        if net is not None:
            cases[name] = ({"image": x, "scale": torch.tensor([2.0])}, {"output": net(x, torch.tensor([2.0]))})
    detectors = {name: net for name, net in (("detector", det), ("ct_detector", ct_det)) if net is not None}
    for name, net in detectors.items():
        low = detector_phantom(name, DETECTOR_CLASSES[name][0], 2)
        cases[name] = ({"image": low}, {"logits": DET.DetectorGraph(net)(low)})
    if rs_det is not None:
        low = D.gaussian_spline_down(phantom(96, seed=3), RD.SCALES[0])
        cases["resampler_detector"] = ({"image": low}, {"logits": DET.DetectorGraph(rs_det)(low)})
    for name, (ins, outs) in cases.items():
        j = {"graph": name, "inputs": {k: _save(ref, f"{name}.in.{k}", v) for k, v in ins.items()},
             "outputs": {k: _save(ref, f"{name}.out.{k}", v) for k, v in outs.items()},
             "tolerance": {"relative": 1e-4}}
        json.dump(j, open(os.path.join(ref, name + ".json"), "w"), indent=1)
    # one full pipeline run (MR, k-space degradation, x4, 4 steps) on a synthetic phantom
    s = 4
    hr = phantom(64)
    lr_raw = D.kspace_down(hr, s)
    off, scale = D.norm_params(lr_raw, "MR")
    lr = (lr_raw - off) / scale
    x_up = D.upsample_for(lr, s, "MR")
    pl = PL.Pipeline(cfg, ae, te, un, rg, sf)
    tr = {}
    prm = "mr head t1 axial"
    text = P.conditioned(prm, s, "auto")
    dec = pl.sample(x_up, text, steps=cfg["default_steps"], seed=0, trace=tr)
    dc = D.consistency(dec, lr, s, "auto", "MR")
    out_raw = dc * scale + off
    S = lambda n, v: _save(ref, "pipeline." + n, v)
    j = {
        "graph": "pipeline",
        "description": "MR, degradation auto (blind words and the low-band projection), scale 4, prompt below (the text encoder sees `text`), steps/init_strength/guidance "
                       "from the scheduler config; noise is the N(0,1) latent noise of the start state. "
                       "z_start = sqrt(abar[t0]) * condition + sqrt(1 - abar[t0]) * noise; each DDIM step "
                       "(eta 0, v_prediction) goes to the next listed timestep, the last to abar = 1.",
        "modality": "MR", "scale": s, "degradation": "auto", "prompt": prm, "text": text,
        "input_ids": P.tokenize(text), "steps": cfg["default_steps"], "init_strength": cfg["init_strength"],
        "guidance": 1.0, "timesteps": tr["timesteps"], "latent_scale_factor": sf,
        "normalisation": {"offset": off, "scale": scale},
        "tensors": {"lr_raw": S("lr_raw", lr_raw), "lr_norm": S("lr_norm", lr), "x_up": S("x_up", x_up),
                    "condition": S("condition", tr["condition"]), "text_embeds": S("text_embeds", tr["text_embeds"]),
                    "noise": S("noise", tr["noise"]), "z_start": S("z_start", tr["z_start"]),
                    **{f"model_output_{i}": S(f"model_output_{i}", v) for i, v in enumerate(tr["model_outputs"])},
                    **{f"latent_{i}": S(f"latent_{i}", v) for i, v in enumerate(tr["latents"])},
                    "decoded": S("decoded", dec), "data_consistent": S("data_consistent", dc),
                    "output_raw": S("output_raw", out_raw),
                    "regression": S("regression", rg(x_up))},
        "tolerance": {"relative": 1e-4},
    }
    json.dump(j, open(os.path.join(ref, "pipeline.json"), "w"), indent=1)
    # the band limit (bandlimit.py) on the phantom with noise, as acquired and as a scanner zero-filled it, cut at x2;
    # and zero-filled from half its matrix, cut at x4, with the acquired matrix (64) the header would give
    g = torch.Generator().manual_seed(5)
    noisy = phantom(128, seed=3) + 2.0 * torch.randn(1, 1, 128, 128, generator=g)
    cases = []
    for band, s, acquired in ((None, 2, None), (0.375, 2, None), (0.5, 4, (64, 64))):
        hr = noisy if band is None else BL.zero_filled_scan(noisy, band)
        for kind in ("kspace", "bicubic"):
            low = D.degrade(hr, s, kind)
            up = D.upsample(low, s)
            axes = BL.detect(low)
            name = f"band_limit.{band or 'acquired'}.{kind}" + (f".x{s}.acquired{acquired[0]}x{acquired[1]}" if acquired else "")
            cases.append({"zero_filled_from": band, "degradation": kind, "scale": s, "acquired_matrix": acquired,
                          "lr": _save(ref, name + ".lr", low),
                          "cliffs": {axis: list(BL.cliff(low.squeeze().numpy(), i)) for i, axis in enumerate(BL.AXES)},
                          "limit": axes, "upsampled": _save(ref, name + ".up", up),
                          "limited": _save(ref, name + ".limited", BL.apply(up, low, acquired))})
    json.dump({"cases": cases, "tolerance": {"drop_db": 1e-6, "relative": 1e-5}},
              open(os.path.join(ref, "band_limit.json"), "w"), indent=1)
    if detectors:
        # each degradation detector on the phantom made by each of its classes: P(its first class)
        cases = []
        for name, net in detectors.items():
            for kind in DETECTOR_CLASSES[name]:
                for sc in DET.SCALES:
                    low = detector_phantom(name, kind, sc)
                    cases.append({"graph": name, "degradation": kind, "scale": sc,
                                  "lr": _save(ref, f"{name}.{kind}.x{sc}", low), "probability": DET.probability(net, low, sc)})
        json.dump({"cases": cases, "tolerance": {"absolute": 1e-5}},
                  open(os.path.join(ref, "detector_decisions.json"), "w"), indent=1)
    if rs_det is not None:
        write_resampler_references(ref, rs_det)


def write_resampler_references(ref, net):
    """The resampler detector's share on the phantom resampled by each of its classes at each of its scales, and the
    resampled path's projection of the bicubic upsample onto the operator it blends (degrade.resampled_down)."""
    cases = []
    for made, down in (("gaussian-spline", D.gaussian_spline_down), ("bicubic", D.bicubic_down)):
        for s in RD.SCALES:
            low = down(phantom(96, seed=3), s)
            share = RD.share(net, low, s, RD.MODALITIES[0], "bicubic")
            up = D.upsample(low, s)
            name = f"resampler.{made}.x{s}"
            cases.append({"made_by": made, "scale": s, "share": share, "lr": _save(ref, name + ".lr", low),
                          "upsampled": _save(ref, name + ".up", up),
                          "projected": _save(ref, name + ".projected", D.data_consistency(up, low, s, "bicubic", None, share))})
    json.dump({"cases": cases, "tolerance": {"share": 1e-5, "relative": 1e-4}},
              open(os.path.join(ref, "resampler.json"), "w"), indent=1)


# the paths each detector tells apart, the one its logits are for first (detector.params, ct_detector.params)
DETECTOR_CLASSES = {"detector": ("kspace", "bicubic"), "ct_detector": (CTD.PATH_IF_SURE, CTD.PATH_OTHERWISE)}


def detector_phantom(name, kind, s):
    """The 96 x 96 phantom degraded by `kind` at scale s, in the values of the detector's modality (CT: HU-like)."""
    low = D.degrade(phantom(96, seed=3), s, kind)
    return low * 6.0 - 1000.0 if name == "ct_detector" else low


def model_index(out, cfg, graphs, sf, train_info, metrics, git, detector, refiner=None, ct_detector=None, ct_refiner=None,
                resampler_detector=None):
    calibration = metrics.get("calibration") or {}
    calibration_path = metrics.get("calibration_path") or {}
    idx = {
        "id": os.path.basename(os.path.normpath(out)), "version": MODEL_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "git": git,
        "scales": [2, 4], "modalities": ["MR", "CT"],
        "graphs": graphs,
        "latent": {"channels": cfg["latent_ch"], "downsample": cfg["f"], "scale_factor": sf},
        # output pixels at every scale: the U-Net runs a 1024 x 1024 output (256 x 256 latent) whole
        "tile": {"multiple": 8 * cfg["f"], "output_size": 1024, "output_overlap": 128},
        "preprocessing": D.PREPROCESSING,
        "degradations": {"MR": "kspace", "CT": "area", "default": "bicubic",
                         "ct": {"blur_sigma_px": D.CT_BLUR_SIGMA_PX}},
        "upsampling": D.UPSAMPLING,
        # model 2.0: the degradation is not known by default; MR is routed by the detector (model 2.9: CT by its own), the
        # rest runs blind
        "default_degradation": "auto",
        # floor_depth (model 2.13): how deep the k-space projection holds a pixel an unsigned file stored at its floor
        "consistency": {"auto": dict(D.AUTO_CONSISTENCY, grid=D.GRID), "floor_depth": D.FLOOR_DEPTH},
        "conditioning": {"scale_words": {str(k): v for k, v in P.SCALE_WORDS.items()},
                         "degradation_words": P.DEGRADATION_WORDS},
        "detector": detector,
        **({"ct_detector": ct_detector} if ct_detector else {}),
        **({"resampler_detector": resampler_detector} if resampler_detector else {}),
        **({"refiner": refiner} if refiner else {}),
        **({"ct_refiner": ct_refiner} if ct_refiner else {}),
        "band_limit": BL.params(),
        "uncertainty": {"band_sd": evaluate.COVERAGE_SD, "coverage_target": evaluate.COVERAGE_TARGET,
                        "gradient_weight": evaluate.GRADIENT_WEIGHT,
                        "sd_scale": {mod: {s: round(v, 4) for s, v in d.items()} for mod, d in calibration.items()},
                        # per path taken, where validation has one (the paths' samples spread differently)
                        **({"sd_scale_path": {mod: {path: {s: round(v, 4) for s, v in d.items()} for path, d in paths.items()}
                                              for mod, paths in calibration_path.items()}} if calibration_path else {})},
        "tokenizer": {"file": "tokenizer.json"},
        "scheduler": {"type": "ddim", "num_train_timesteps": cfg["num_train_timesteps"],
                      "beta_schedule": "scaled_linear", "beta_start": cfg["beta_start"],
                      "beta_end": cfg["beta_end"], "prediction_type": "v_prediction",
                      "timestep_spacing": "trailing", "eta": 0.0, "set_alpha_to_one": True,
                      "clip_sample": False, "init_strength": cfg["init_strength"],
                      "default_steps": cfg["default_steps"], "default_guidance": 1.0,
                      "trained_timesteps": [0, cfg["t_max"] - 1]},
        "training": train_info,
        "metrics": metrics,
        "reference": "reference/",
    }
    json.dump(idx, open(os.path.join(out, "model_index.json"), "w"), indent=1)
    json.dump(P.tokenizer_json(), open(os.path.join(out, "tokenizer.json"), "w"), indent=1)
    return idx

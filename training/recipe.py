#!/usr/bin/env python3
"""The one command: fetch data -> prepare slices -> train (resumable) -> export ONNX ->
reference tensors -> evaluate -> onnxruntime check + timing -> model_index.json -> model card.

  /usr/bin/python3 training/recipe.py --config default --out models/medsr-ldm-v2
  /usr/bin/python3 training/recipe.py --config smoke --out /tmp/x/medsr-smoke --work /tmp/x/work
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import torch  # noqa: E402

import card  # noqa: E402
import curve  # noqa: E402
import data  # noqa: E402
import config  # noqa: E402
import ct_detector  # noqa: E402
import ct_refiner  # noqa: E402
import detector  # noqa: E402
import resampler_detector  # noqa: E402
import refiner  # noqa: E402
import evaluate  # noqa: E402
import export  # noqa: E402
import pipeline as PL  # noqa: E402
import precision  # noqa: E402
import train  # noqa: E402


def hardware(cfg):
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    dev = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (f"{cpu}, {torch.get_num_threads()} torch threads, {dev}; torch {torch.__version__}, {platform.python_version()}; "
            f"training arithmetic {precision.precision(cfg, train.device())}")


def count_flops(cfg, ae, te, un, rg, ref=None, H=512):
    """Multiply-accumulates x2 of every Conv2d/Linear/attention matmul at a H x H output."""
    import torch.nn as nn
    import models
    tot = {"n": 0}

    def conv_hook(m, i, o):
        tot["n"] += 2 * o.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def lin_hook(m, i, o):
        tot["n"] += 2 * o.numel() * m.in_features

    def att_hook(m, i, o):
        x, ctx = i
        tot["n"] += 2 * 2 * x.shape[0] * x.shape[1] * ctx.shape[1] * x.shape[2]

    hs = []
    for mod in (ae, te, un, rg, ref):
        for m in (mod.modules() if mod is not None else ()):
            if isinstance(m, nn.Conv2d):
                hs.append(m.register_forward_hook(conv_hook))
            elif isinstance(m, nn.Linear):
                hs.append(m.register_forward_hook(lin_hook))
            elif isinstance(m, models.Attention):
                hs.append(m.register_forward_hook(att_hook))
    out = {}
    h = H // cfg["f"]
    C = cfg["latent_ch"]
    calls = [("vae_encoder", lambda: ae.encoder(torch.zeros(1, 1, H, H))),
             ("vae_decoder", lambda: ae.decoder(torch.zeros(1, C, h, h))),
             ("text_encoder", lambda: te(torch.zeros(1, 16, dtype=torch.long))),
             ("unet", lambda: un(torch.zeros(1, C, h, h), torch.zeros(1, C, h, h), torch.zeros(1),
                                 torch.zeros(1, 16, cfg["text_dim"]))),
             ("regression", lambda: rg(torch.zeros(1, 1, H, H)))]
    if ref is not None:
        calls.append(("refiner", lambda: ref(torch.zeros(1, 1, H, H), torch.tensor([2.0]))))
    with torch.no_grad():
        for name, fn in calls:
            tot["n"] = 0
            fn()
            out[name] = tot["n"]
    for x in hs:
        x.remove()
    return out


def git_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except Exception:
        return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="default", choices=sorted(train.CONFIGS))
    ap.add_argument("--out", default=os.path.join(ROOT, "models", "medsr-ldm-v2"))
    ap.add_argument("--work", default=os.path.join(HERE, ".work"))
    ap.add_argument("--run", default=None, help="checkpoint directory (default <work>/<config>_run)")
    ap.add_argument("--card", default=None, help="model card path (default <out>/../README.md)")
    ap.add_argument("--skip-train", action="store_true", help="use the checkpoints as they are")
    ap.add_argument("--no-bench", action="store_true")
    ap.add_argument("--pack", metavar="DIR", help="write the prepared slices, packed for a GPU machine, to DIR and stop")
    ap.add_argument("--help-config", action="store_true", help="list every training setting with its default and meaning")
    ap.add_argument("--rehearse", type=int, metavar="N",
                    help="at most N iterations per stage (a CPU check of a configuration's whole path, e.g. gpu's, before "
                         "spending a GPU on it; the model it writes is untrained)")
    a = ap.parse_args()
    if a.rehearse:
        config.rehearse(a.config, a.rehearse)
    if a.help_config:
        print(config.help_text())
        return
    smoke = a.config == "smoke"
    if a.pack:
        print("packed:", data.pack(a.work, a.pack))
        return
    # a rehearsal's checkpoints go elsewhere: the real run must not resume from its untrained stages
    run_dir = a.run or os.path.join(a.work, a.config + ("_rehearsal" if a.rehearse else "_run"))
    os.makedirs(a.out, exist_ok=True)
    os.makedirs(a.work, exist_ok=True)
    logf = open(os.path.join(a.work, f"recipe_{a.config}.log"), "a")

    def log(msg):
        line = time.strftime("%H:%M:%S ") + msg
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    torch.set_num_threads(int(os.environ.get("MEDSR_THREADS", "2")))
    t0 = time.time()
    data.prepare(a.work, smoke=smoke)
    if not a.skip_train:
        train.train(a.config, a.work, run_dir, log=log)
    cfg, ae, te, un, rg, sf = train.load_trained(a.config, run_dir)
    arrays, meta = data.load(data.prepare(a.work, smoke=smoke))
    det, det_iters = train.load_detector(run_dir)
    ref = train.load_refiner(cfg, run_dir)
    ref_iterations = (cfg["ref_iters"] + cfg.get("ref_polish_iters", 0) + (cfg["ref_prune_iters"] if refiner.pruning(cfg) else 0)
                      + (cfg["ref_zoom_iters"] if refiner.zooming(cfg) else 0))
    ref_params = refiner.params(ref_iterations, cfg["ref_steps"]) if ref is not None else None
    det_accuracy = detector.accuracy(det, detector.PairSampler(arrays, meta, seed=99))
    log(f"[detector] accuracy on fresh training-distribution pairs: {det_accuracy}")
    ct_det, ct_det_iters = train.load_ct_detector(run_dir)
    ct_det_params = None
    if ct_det is not None:
        ct_det_params = ct_detector.params(ct_det_iters, detector.accuracy(ct_det, ct_detector.PairSampler(arrays, meta, seed=99)))
        log(f"[ct_detector] accuracy on fresh training-distribution pairs: {ct_det_params['train_accuracy']}")
    det_params = detector.params(det_iters, det_accuracy, ct_detector.MODALITIES if ct_det is not None else ())
    rs_det, rs_det_iters = train.load_resampler_detector(run_dir)
    rs_det_params = None
    if rs_det is not None:
        rs_det_params = resampler_detector.params(rs_det_iters, detector.accuracy(
            rs_det, resampler_detector.PairSampler(arrays, meta, seed=99), scales=resampler_detector.SCALES))
        log(f"[resampler_detector] accuracy on fresh training-distribution pairs: {rs_det_params['train_accuracy']}")
    ct_ref = train.load_ct_refiner(cfg, run_dir)
    ct_ref_params = ct_refiner.params(cfg["ct_ref_iters"], cfg["ref_steps"]) if ct_ref is not None else None
    log("export ONNX")
    graphs = export.export_graphs(a.out, cfg, ae, te, un, rg, det, ref, ct_det, ct_ref, rs_det)
    export.write_references(a.out, cfg, ae, te, un, rg, sf, det, ref, ct_det, ct_ref, rs_det)
    log("evaluate")
    pl = PL.Pipeline(cfg, ae, te, un, rg, sf, det, ref, ct_det, ct_ref, rs_det)
    metrics = evaluate.evaluate(a.work, pl, smoke=smoke, log=log)
    params = {k: sum(p.numel() for p in m.parameters()) for k, m in
              (("vae_encoder", ae.encoder), ("vae_decoder", ae.decoder), ("text_encoder", te),
               ("unet", un), ("regression", rg), ("refiner", ref), ("ct_refiner", ct_ref)) if m is not None}
    metrics["parameters"] = params
    metrics["flops_512"] = count_flops(cfg, ae, te, un, rg, ref)
    if ct_ref is not None:      # the refiner's network, unpruned
        metrics["flops_512"]["ct_refiner"] = count_flops(cfg, ae, te, un, rg, ct_ref)["refiner"]
    stages = {}
    for st in ("ae", "regression", "diffusion", train.DM_ZOOM_STAGE, *(name for name, _, _ in detector.READERS),
               *(detector.TUNE_STAGE.format(name) for name, _, _ in detector.READERS), ct_detector.STAGE[0],
               resampler_detector.STAGE[0], "refiner",
               "refiner_polish", refiner.PRUNE_STAGE, refiner.ZOOM_STAGE, ct_refiner.STAGE):
        p = os.path.join(run_dir, st + ".done")
        if not os.path.exists(p) and not os.path.exists(os.path.join(run_dir, st + ".pt")):
            continue
        if os.path.exists(p):
            stages[st] = json.load(open(p))
        else:
            ck = torch.load(os.path.join(run_dir, st + ".pt"), map_location="cpu")
            stages[st] = {"seconds": ck.get("seconds", 0.0), "iters": ck["it"], "unfinished": True}
    from collections import Counter
    cnt = Counter((m["subject"], m["split"]) for m in meta["slices"])
    train_info = {
        "config": a.config, "settings": cfg,
        "data": [{"subject": s, "slices": n, "source": data.source_of(meta, s)} for (s, sp), n in sorted(cnt.items()) if sp == "train"],
        "validation": [{"subject": s, "slices": n, "source": data.source_of(meta, s)} for (s, sp), n in sorted(cnt.items()) if sp == "val"],
        "external": [{"subject": s, "slices": n, "source": data.source_of(meta, s)} for (s, sp), n in sorted(cnt.items()) if sp == "external"],
        "validation_rule": f"MR: subject {data.MR_VAL} held out entirely; CT (one real volume): contiguous slab of "
                           f"axial slices {data.CT_VAL[0]}..{data.CT_VAL[1] - 1}, with {data.CT_GAP} slices either side "
                           "used for neither split",
        "packages": {p: {"version": v, "licence": data.PACKAGES[p]} for p, v in meta["versions"].items()},
        "hardware": hardware(cfg), "stages": stages,
        "seconds": float(sum(s["seconds"] for s in stages.values())),
        "curve": curve.load(run_dir),
        # training/ablation.py's proxy runs, when they were made beside this run
        "ablation": json.load(open(os.path.join(a.work, "ablation.json"))) if os.path.exists(os.path.join(a.work, "ablation.json")) and not smoke else [],
        "notes": open(os.path.join(run_dir, "notes.md")).read().strip().splitlines()
        if os.path.exists(os.path.join(run_dir, "notes.md")) else [],
    }
    idx = export.model_index(a.out, cfg, graphs, sf, train_info, metrics, git_commit(), det_params, ref_params, ct_det_params,
                              ct_ref_params, rs_det_params)
    # onnxruntime-node: names/shapes/sha256, parity with the reference tensors, timing
    chk = os.path.join(a.work, f"ort_check_{a.config}.json")
    cmd = ["node", os.path.join(HERE, "check_onnx.cjs"), a.out, "--threads", "2", "--json", chk]
    if not a.no_bench:
        cmd.append("--bench")
    if shutil.which("node"):
        log("onnxruntime-node check: " + " ".join(cmd))
        load_before = os.getloadavg()
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            log(r.stdout[-3000:] + r.stderr[-3000:])
            raise SystemExit("onnxruntime-node check failed")
        ort = json.load(open(chk))
    else:   # the GPU machine has no Node: the parity check then runs where the export is brought back
        log("no node on this machine: onnxruntime-node check skipped (run training/check_onnx.cjs on the export)")
        ort = {"parity": {}, "timing": None}
    if ort["timing"]:
        ort["timing"]["load_average_1min_before"] = load_before[0]
    metrics["onnxruntime"] = {"parity": ort["parity"], "timing": ort["timing"]}
    sizes = {k: g["bytes"] for k, g in graphs.items()}
    metrics["sizes_bytes"] = dict(sizes, total=sum(sizes.values()))
    idx = export.model_index(a.out, cfg, graphs, sf, train_info, metrics, git_commit(), det_params, ref_params, ct_det_params,
                              ct_ref_params, rs_det_params)
    card_path = a.card or os.path.join(os.path.dirname(os.path.normpath(a.out)), "README.md")
    if smoke and a.card is None:
        card_path = os.path.join(a.out, "README.md")
    card.write(card_path, idx, os.path.basename(os.path.normpath(a.out)))
    log(f"done in {time.time() - t0:.0f}s: {a.out}, card {card_path}")


if __name__ == "__main__":
    main()

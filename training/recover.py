"""Rebuild a run directory from the shipped model: the checkpoints of every stage, taken back out of its ONNX graphs,
and the stage times, learning curve, ablation and notes from its model_index.json.

Why: checkpoints live in the git-ignored training/.work, which a new machine does not have; with this, a later
session can fine-tune or add a stage from the shipped weights (`recipe.py --run DIR`), or re-export them with
`--skip-train`, instead of retraining for hours. The ONNX exporter renames some weights (`onnx::MatMul_123`,
transposed), so every parameter is found by value: the networks are filled with random values, exported with
the recipe's own exporter, and each exported weight is matched to the parameter that holds those values (as it
is, reshaped or transposed); the shipped graph's weight of that name is then copied back. The result is checked
by exporting again: every weight must equal the shipped one exactly.

    /usr/bin/python3 training/recover.py [--model models/medsr-ldm-v2] [--run training/.work/run_shipped]
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ct_detector as CTD  # noqa: E402
import ct_refiner as CTR  # noqa: E402
import detector as DET  # noqa: E402
import refiner as REF  # noqa: E402
import resampler_detector as RD  # noqa: E402
import export  # noqa: E402
import train  # noqa: E402


def weights(path):
    return {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}


def networks(cfg):
    """Freshly built networks of the configuration, and the detector's readers by stage."""
    ae, te, un, rg = train.build(cfg)
    ref = train.build_refiner(cfg)
    readers = {stage: DET.DetectorNet(pooling) for stage, pooling, _ in DET.READERS}
    (mean,) = [readers[s] for s, pooling, _ in DET.READERS if pooling == "mean"]
    det = DET.Detector(mean, [readers[s] for s, pooling, _ in DET.READERS if pooling == "evidence"])
    return ae, te, un, rg, ref, det, readers


def fill(module, mine, shipped):
    """Copies into each parameter of `module` the shipped weight its fingerprint was exported as (as it is, reshaped,
    or transposed: a Linear exported as MatMul)."""
    params = dict(module.named_parameters())
    found = set()
    for name, a in mine.items():
        for k, p in params.items():
            if k in found or p.numel() != a.size:
                continue
            v = p.detach().numpy()
            if np.array_equal(v.reshape(a.shape), a):
                value = shipped[name].reshape(v.shape)
            elif a.ndim == 2 and np.array_equal(v.reshape(a.T.shape), a.T):
                value = shipped[name].T.reshape(v.shape)
            else:
                continue
            with torch.no_grad():
                p.copy_(torch.from_numpy(np.array(value, dtype=np.float32)))
            found.add(k)
            break
    missing = sorted(set(params) - found)
    if missing:
        raise SystemExit(f"recover: no shipped weight found for {missing}")


def run_config(idx):
    """The configuration a shipped model was trained with: its config's settings as it records them."""
    t = idx["training"]
    cfg = dict(train.CONFIGS[t["config"]], **t["settings"])
    # a setting a model does not record names a stage added after it, which its run did not have: models before 2.11.0
    # name no pruning (their refiner is the polished one), before 2.14.0 no zoom stages (it is the pruned one), before
    # 2.16.0 no stage 4d (their detector readers are stage 4's)
    for later in ("ref_keep_blocks", "ref_zoom_iters", "dm_zoom_iters", "det_tune_iters"):
        if later not in t["settings"]:
            cfg[later] = 0
    return cfg


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=os.path.join(HERE, "..", "models", "medsr-ldm-v2"))
    ap.add_argument("--run", default=os.path.join(HERE, ".work", "run_shipped"))
    a = ap.parse_args()
    idx = json.load(open(os.path.join(a.model, "model_index.json")))
    t = idx["training"]
    cfg = run_config(idx)
    ae, te, un, rg, ref, det, readers = networks(cfg)
    # model 2.9.0 on: the CT detector's reader (stage 4b), a graph of its own
    ct_det = CTD.build() if "ct_detector" in idx["graphs"] else None
    if ct_det is not None:
        readers[CTD.STAGE[0]] = ct_det
    # model 2.10.0 on: the resampler detector's reader (stage 4c)
    rs_det = RD.build() if "resampler_detector" in idx["graphs"] else None
    if rs_det is not None:
        readers[RD.STAGE[0]] = rs_det
    # and the CT refiner (stage 6), the refiner's network
    ct_ref = train.build_refiner(cfg, cfg["ref_blocks"]) if "ct_refiner" in idx["graphs"] else None
    graphs = {"vae_encoder": ae.encoder, "vae_decoder": ae.decoder, "text_encoder": te, "unet": un, "regression": rg,
              "detector": det, "refiner": ref, **({"ct_detector": ct_det} if ct_det is not None else {}),
              **({"resampler_detector": rs_det} if rs_det is not None else {}),
              **({"ct_refiner": ct_ref} if ct_ref is not None else {})}
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for module in graphs.values():
            for p in module.parameters():
                p.copy_(torch.randn(p.shape, generator=g))
    shipped = {name: weights(os.path.join(a.model, name + ".onnx")) for name in graphs}
    with tempfile.TemporaryDirectory() as tmp:
        export.export_graphs(tmp, cfg, ae, te, un, rg, det, ref, ct_det, ct_ref, rs_det)
        for name, module in graphs.items():
            mine = weights(os.path.join(tmp, name + ".onnx"))
            if set(mine) != set(shipped[name]):
                raise SystemExit(f"recover: {name}.onnx was not exported by this recipe's networks "
                                 f"({set(mine) ^ set(shipped[name])})")
            fill(module, mine, shipped[name])
        export.export_graphs(tmp, cfg, ae, te, un, rg, det, ref, ct_det, ct_ref, rs_det)
        for name in graphs:
            mine = weights(os.path.join(tmp, name + ".onnx"))
            worst = max(float(np.abs(mine[k] - shipped[name][k]).max()) for k in mine)
            if worst:
                raise SystemExit(f"recover: {name} re-exports with a difference of {worst}")

    os.makedirs(a.run, exist_ok=True)
    stages = t["stages"]

    def save(stage, model, ema, weights=True):
        if weights:
            torch.save(dict(model=model, ema=ema, it=stages.get(stage, {}).get("iters", 0), seconds=0.0,
                            recovered_from=idx["id"] + " " + idx["version"]), os.path.join(a.run, stage + ".pt"))
        with open(os.path.join(a.run, stage + ".done"), "w") as f:
            json.dump(stages.get(stage, {"seconds": 0.0, "iters": 0}), f)

    save("ae", {"ae": ae.state_dict()}, {})
    save("regression", {}, {"rg": rg.state_dict()})
    # the graphs hold the diffusion's last stage: the zoom's (3b) where the run has one, the first's before it done
    dm_zoom = cfg["dm_zoom_iters"] > 0
    save("diffusion", {}, {"te": te.state_dict(), "un": un.state_dict()}, weights=not dm_zoom)
    if dm_zoom:
        save(train.DM_ZOOM_STAGE, {}, {"te": te.state_dict(), "un": un.state_dict()})
    # the graph holds the last refiner stage the run trained (refiner.shipped_stage): the stages before it come back
    # done, without weights (no later stage starts from them: the CT refiner is recovered done too)
    shipped_refiner = REF.shipped_stage(cfg)
    for stage, applies in (("refiner", True), ("refiner_polish", True), (REF.PRUNE_STAGE, REF.pruning(cfg)),
                           (REF.ZOOM_STAGE, REF.zooming(cfg))):
        if applies:
            save(stage, {}, {"ref": ref.state_dict()}, weights=stage == shipped_refiner)
    if ct_ref is not None:
        save(CTR.STAGE, {}, {"ref": ct_ref.state_dict()})
    # the detector graph holds stage 4d's readers where the run tuned them (stage 4's then come back done, without weights)
    for stage, net in readers.items():
        tuned = DET.tuning(cfg) and stage in {name for name, _, _ in DET.READERS}
        save(stage, {"det": net.state_dict()}, {}, weights=not tuned)
        if tuned:
            save(DET.TUNE_STAGE.format(stage), {"det": net.state_dict()}, {})
    json.dump({"scale_factor": idx["latent"]["scale_factor"]}, open(os.path.join(a.run, "latent_scale.json"), "w"))
    json.dump(t.get("curve", []), open(os.path.join(a.run, "curve.json"), "w"))
    with open(os.path.join(a.run, "notes.md"), "w") as f:
        f.write("\n".join(t.get("notes", [])) + "\n")
    if t.get("ablation"):
        work = os.path.dirname(os.path.normpath(a.run))      # the recipe reads <work>/ablation.json
        json.dump(t["ablation"], open(os.path.join(work, "ablation.json"), "w"), indent=1)
    print(f"recovered {idx['id']} {idx['version']} into {a.run}: every graph re-exports exactly")


if __name__ == "__main__":
    main()

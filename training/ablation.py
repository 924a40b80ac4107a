#!/usr/bin/env python3
"""Ablation of model 2.0's training changes on a small proxy (issue 12: "report an ablation of each change").

One task, MR lower acquisition matrix at x2 (the case the changes were made for), a small regression
network (the shipped Regression class, channels 32/48/64), the same iterations and seed for every arm;
scored on the validation subjects after the exact k-space projection, as gain over zero-filled Fourier.
Arms add one change at a time:
  A  loss before the projection, noise-free HR, no photographs   (the 1.x recipe's choices)
  B  A + loss after the projection
  C  B + noisy magnitude HR and LR from one complex image
  D  C + photographs (15% of patches)
The shipped model also has the task words and both degradations; those are ablated in the card's
"What the degradation words do" table instead (they need the text path).

  /usr/bin/python3 training/ablation.py [--iters 1500] [--out training/.work/ablation.json]
"""
import argparse
import copy
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import data  # noqa: E402
import degrade as D  # noqa: E402
import evaluate as E  # noqa: E402
import models  # noqa: E402
import train  # noqa: E402

ARMS = {
    "A: loss before the projection, clean HR, no photos": dict(after_dc=False, mr_noise_p=0.0, photo_p=0.0),
    "B: + loss after the projection": dict(after_dc=True, mr_noise_p=0.0, photo_p=0.0),
    "C: + noisy magnitude HR and LR": dict(after_dc=True, mr_noise_p=0.75, photo_p=0.0),
    "D: + photographs": dict(after_dc=True, mr_noise_p=0.75, photo_p=0.15),
}


def run_arm(name, arm, arrays, meta, iters, val, log):
    cfg = dict(train.CONFIGS["default"], ct_p=0.0, mr_kspace_p=1.0, auto_p={"MR": 0.0, "CT": 0.0},
               mr_noise_p=arm["mr_noise_p"], photo_p=arm["photo_p"])
    torch.manual_seed(cfg["seed"])
    sampler = train.Sampler(arrays, meta, cfg, cfg["seed"] + 2)
    net = models.Regression(cfg["f"], (32, 48, 64))
    ema = copy.deepcopy(net)
    opt = torch.optim.AdamW(net.parameters(), lr=5e-4)
    t0 = time.time()
    for it in range(iters):
        for g in opt.param_groups:
            g["lr"] = 5e-4 * min(1.0, (it + 1) / 100) * (0.5 * (1 + np.cos(np.pi * it / iters)) * 0.95 + 0.05)
        b = sampler.batch(16, 64, 2)
        y = net(b["x_up"])
        if arm["after_dc"]:
            loss = train.loss_after_consistency(y, b, 2, cfg, "cpu")
        else:
            loss = F.l1_loss(y, b["hr"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        train.ema_update(ema, net, it, 0.999)
    ema.eval()
    gains = {}
    with torch.no_grad():
        for subject, (lr, hr, x_up, masks, best) in val.items():
            H, W = x_up.shape[-2:]
            padded = F.pad(x_up, (0, -W % 32, 0, -H % 32), mode="reflect")     # the graphs' multiple, as the pipeline pads
            out = D.consistency(ema(padded)[..., :H, :W], lr, 2, "kspace", "MR")
            gains[subject] = float(np.mean([D.psnr(out[i], hr[i], masks[i]) for i in range(len(masks))])) - best
    row = {"arm": name, "iterations": iters, "seconds": round(time.time() - t0), "gain_db": gains,
           "mean_gain_db": float(np.mean(list(gains.values())))}
    log(f"[ablation] {name}: " + ", ".join(f"{k} {v:+.3f}" for k, v in gains.items()) + f"; mean {row['mean_gain_db']:+.3f} dB")
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=1500)
    ap.add_argument("--work", default=os.path.join(HERE, ".work"))
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("MEDSR_THREADS", "2")))
    arrays, meta = data.load(data.prepare(a.work))
    val = {}
    for (mod, subject), items in sorted(E.validation_subjects(a.work, False).items()):
        if mod != "MR":
            continue
        hr_raw = torch.stack([torch.from_numpy(x)[None] for x, _ in items])
        masks = [D.body_mask(hr_raw[i:i + 1], mod) for i in range(len(items))]
        lr, hr, x_up, _ = E.normalised_pair(hr_raw, mod, "kspace", 2)
        best = float(np.mean([D.psnr(D.zero_filled(lr[i:i + 1], 2), hr[i], masks[i]) for i in range(len(masks))]))
        val[subject] = (lr, hr, x_up, masks, best)
    rows = [run_arm(name, arm, arrays, meta, a.iters, val, print) for name, arm in ARMS.items()]
    out = a.out or os.path.join(a.work, "ablation.json")
    json.dump(rows, open(out, "w"), indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main()

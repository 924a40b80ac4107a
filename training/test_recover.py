"""recover.py on the shipped model: every stage's checkpoint comes back and loads as the recipe loads it."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import torch

import recover
import refiner as REF
import train

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "models", "medsr-ldm-v2")


class RecoverTest(unittest.TestCase):
    def test_the_shipped_model_comes_back_as_a_run_directory(self):
        idx = json.load(open(os.path.join(MODEL, "model_index.json")))
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "run")
            # recover.py itself fails unless every graph re-exports to the shipped weights exactly
            subprocess.run([sys.executable, os.path.join(HERE, "recover.py"), "--model", MODEL, "--run", run], check=True,
                           capture_output=True)
            for stage, done in idx["training"]["stages"].items():
                self.assertEqual(json.load(open(os.path.join(run, stage + ".done")))["iters"], done["iters"], stage)
            cfg, ae, te, un, rg, sf = train.load_trained(idx["training"]["config"], run)
            cfg = recover.run_config(idx)
            self.assertEqual(sf, idx["latent"]["scale_factor"])
            ref = train.load_refiner(cfg, run)
            x = torch.randn(1, 1, 32, 32)
            self.assertGreater(float((ref(x, torch.tensor([4.0])) - x).abs().max()), 0)   # trained weights, not zeros
            self.assertEqual(open(os.path.join(run, "notes.md")).read().strip().splitlines(), idx["training"]["notes"])
            # model 2.9.0 on: the CT detector's reader comes back too
            self.assertEqual(train.load_ct_detector(run)[0] is not None, "ct_detector" in idx["graphs"])
            self.assertEqual(train.load_ct_refiner(cfg, run) is not None, "ct_refiner" in idx["graphs"])
            # a later stage can start from a recovered one: run_stage takes its trained weights from the EMA ones
            net, ema = train.build_refiner(cfg), train.build_refiner(cfg)
            train.run_stage(REF.shipped_stage(cfg), run, cfg, cfg["ref_iters"], {"ref": net}, {"ref": ema},
                            list(net.parameters()), cfg["ref_lr"], None, None, print)
            for a, b in zip(net.state_dict().values(), ref.state_dict().values()):
                self.assertTrue(torch.equal(a, b))


if __name__ == "__main__":
    unittest.main()

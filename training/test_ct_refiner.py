"""Unit tests of the CT refiner (training/ct_refiner.py)."""
import unittest

import torch

import ct_refiner as CTR
import degrade as D
import refiner as R


def changing_refiner():
    net = R.Refiner(8, 1).eval()
    torch.nn.init.normal_(net.out.weight, std=0.5)       # a refiner that changes the image
    return net


class CtRefinerTest(unittest.TestCase):
    def setUp(self):
        self.hr = torch.rand(3, 1, 32, 48, generator=torch.Generator().manual_seed(3))

    def test_it_runs_on_cts_paths_at_the_scales_its_passes_name_and_projects_again(self):
        net = changing_refiner()
        for kind in CTR.DEGRADATIONS:
            for s in (2, 4):
                lr = D.degrade(self.hr, s, kind)
                start = D.data_consistency(D.upsample(lr, s), lr, s, kind)
                out = CTR.refine(net, start, lr, s, kind)
                if CTR.PASSES[kind][s] == 0:
                    self.assertTrue(torch.equal(out, start))
                    continue
                self.assertGreater(float((out - start).abs().max()), 1e-3)
                self.assertLess(D.dc_residual(out, lr, s, kind), 1e-4)

    def test_each_sample_is_projected_for_its_own_path(self):
        s, kinds = 2, ["area", "bicubic", "area"]
        lr = torch.cat([D.degrade(self.hr[i:i + 1], s, k) for i, k in enumerate(kinds)])
        out = CTR.project(D.upsample(lr, s) + 0.1, lr, s, kinds)
        for i, k in enumerate(kinds):
            self.assertLess(D.dc_residual(out[i:i + 1], lr[i:i + 1], s, k), 1e-4)

    def test_the_diffusion_takes_ref_steps_where_the_ct_refiner_follows(self):
        cfg = {"ref_iters": 10, "ct_ref_iters": 10, "ref_steps": 1, "default_steps": 2}
        for kind in CTR.DEGRADATIONS:
            for s in (2, 4):
                self.assertEqual(CTR.sampling_steps(cfg, kind, "CT", s), 1 if CTR.PASSES[kind][s] else 2)
        self.assertEqual(CTR.sampling_steps(dict(cfg, ct_ref_iters=0), "area", "CT", 2), 2)      # none trained
        self.assertEqual(CTR.sampling_steps(cfg, "kspace", "MR", 4), R.sampling_steps(cfg, "kspace", "MR"))

    def test_only_ct_and_its_manifest_entry(self):
        self.assertTrue(CTR.applies("area", "CT") and CTR.applies("bicubic", "CT"))
        self.assertFalse(CTR.applies("kspace", "MR") or CTR.applies("bicubic", "MR") or CTR.applies("auto", "CT"))
        p = CTR.params(10, 1)
        self.assertEqual((p["graph"], p["modalities"], p["degradations"], p["steps"]), ("ct_refiner", ["CT"], ["area", "bicubic"], 1))
        self.assertEqual(p["passes"]["area"], {str(s): n for s, n in CTR.PASSES["area"].items()})
        # the training mix: CT alone, every sample told
        cfg = CTR.sampler_cfg({"ct_p": 0.3, "photo_p": 0.15, "auto_p": {"MR": 0.1, "CT": 0.5}})
        self.assertEqual((cfg["ct_p"], cfg["photo_p"], cfg["auto_p"]["CT"]), (1.0, 0.0, 0.0))


if __name__ == "__main__":
    unittest.main()

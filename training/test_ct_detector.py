"""Unit tests of the CT detector's pieces (no data download: synthetic slices)."""
import unittest

import numpy as np
import torch

import ct_detector as CTD
import degrade as D
import detector as DET


def fake_data(side=256, seed=0):
    """Two CT-like slices in HU (air, tissue with noise) and one photograph in [0, 255]."""
    g = np.random.default_rng(seed)
    ct = [(np.where(g.random((side, side)) < 0.5, -1000.0, 40.0) + g.normal(0, 20, (side, side))).astype(np.float32)
          for _ in range(2)]
    photo = (g.random((300, 300)) * 255).astype(np.float32)
    meta = {"slices": [{"split": "train", "modality": "CT"}] * 2 + [{"split": "train", "modality": "PHOTO"}]}
    return ct + [photo], meta


class CtDetectorTest(unittest.TestCase):
    def test_pairs_are_stored_ct_patches_of_both_classes_and_resume(self):
        sampler = CTD.PairSampler(*fake_data(), seed=1)
        for s in DET.SCALES:
            x, y = sampler.batch(24, s)
            self.assertEqual(tuple(x.shape), (24, 1, CTD.PATCH, CTD.PATCH))
            self.assertEqual(set(y.tolist()), {0.0, 1.0})
            # stored as a CT file holds it (integers), then shifted to a zero minimum as DetectorGraph does
            self.assertTrue(torch.equal(x, x.round()))
            self.assertEqual(float(x.amin((1, 2, 3)).abs().max()), 0.0)
        state = sampler.state()
        a = sampler.batch(4, 2)[0]
        sampler.load_state(state)
        self.assertTrue(torch.equal(a, sampler.batch(4, 2)[0]))

    def test_decides_area_only_when_sure_and_never_judges_tiny_slices(self):
        class Constant(torch.nn.Module):
            def __init__(self, logit):
                super().__init__()
                self.logit = logit

            def forward(self, image):
                return torch.full((image.shape[0], len(DET.SCALES)), self.logit)

        lr = D.area_down(torch.rand(1, 1, 64, 64) * 1000, 2)
        sure, unsure = np.log(CTD.THRESHOLD / (1 - CTD.THRESHOLD)) + 0.1, 0.5   # P just above the threshold; P = 0.62
        self.assertEqual(CTD.decide(Constant(sure), lr, 2)[0], CTD.PATH_IF_SURE)
        self.assertEqual(CTD.decide(Constant(unsure), lr, 2)[0], CTD.PATH_OTHERWISE)
        self.assertEqual(CTD.decide(Constant(sure), lr[..., :DET.MIN_SIDE - 1, :], 2), (CTD.PATH_OTHERWISE, None))
        self.assertEqual(CTD.decide(Constant(sure), lr, 3), (CTD.PATH_OTHERWISE, None))

    def test_manifest_entry_names_its_graph_classes_and_modalities(self):
        p = CTD.params(10, {"2": 0.8, "4": 0.9})
        self.assertEqual((p["graph"], p["classes"], p["modalities"]), ("ct_detector", ["area", "bicubic"], ["CT"]))
        # the MR detector's routes leave CT to it
        self.assertNotIn("CT", DET.params(10, {}, CTD.MODALITIES)["routes"])
        self.assertEqual(DET.params(10, {})["routes"], DET.ROUTES)


if __name__ == "__main__":
    unittest.main()

"""Unit tests of the resampler detector's pieces (no data download: synthetic slices)."""
import math
import unittest

import numpy as np
import torch

import degrade as D
import detector as DET
import resampler_detector as RD


def fake_data(side=256, seed=0):
    """Two MR-like training slices (blobs over noise) of a training subject and one photograph in [0, 255]."""
    g = np.random.default_rng(seed)
    yy, xx = np.mgrid[:side, :side]
    mr = [(100.0 * ((yy - side / 2) ** 2 + (xx - side / 2) ** 2 < (side / 3) ** 2) + g.normal(0, 3, (side, side))).astype(np.float32)
          for _ in range(2)]
    photo = (g.random((300, 300)) * 255).astype(np.float32)
    meta = {"slices": [{"split": "train", "modality": "MR", "subject": DET.TRAIN_SUBJECTS[0]}] * 2
            + [{"split": "train", "modality": "PHOTO", "subject": DET.PHOTO_SUBJECTS[0]}]}
    return mr + [photo], meta


class Constant(torch.nn.Module):
    def __init__(self, logit):
        super().__init__()
        self.logit = logit

    def forward(self, image):
        return torch.full((image.shape[0], len(RD.SCALES)), self.logit)


class ResamplerDetectorTest(unittest.TestCase):
    def test_pairs_are_unsigned_patches_of_both_classes_and_resume(self):
        sampler = RD.PairSampler(*fake_data(), seed=1)
        for s in RD.SCALES:
            x, y = sampler.batch(24, s)
            self.assertEqual(tuple(x.shape), (24, 1, RD.PATCH, RD.PATCH))
            self.assertEqual(set(y.tolist()), {0.0, 1.0})
            self.assertGreaterEqual(float(x.min()), 0.0)   # clipped at 0 as a file stores it, its crop shifted to a zero minimum
        state = sampler.state()
        a = sampler.batch(4, RD.SCALES[0])[0]
        sampler.load_state(state)
        self.assertTrue(torch.equal(a, sampler.batch(4, RD.SCALES[0])[0]))

    def test_share_is_the_readers_probability_on_the_resampled_mr_path_only(self):
        lr = D.gaussian_spline_down(torch.rand(1, 1, 96, 96), 2)
        net = Constant(math.log(0.8 / 0.2))     # P = 0.8
        self.assertAlmostEqual(RD.share(net, lr, 2, "MR", "bicubic"), 0.8, places=5)
        self.assertEqual(RD.share(net, lr, 2, "MR", "kspace"), 0.0)
        self.assertEqual(RD.share(net, lr, 2, "CT", "bicubic"), 0.0)
        self.assertEqual(RD.share(net, lr, 4, "MR", "bicubic"), 0.0)
        self.assertEqual(RD.share(None, lr, 2, "MR", "bicubic"), 0.0)
        self.assertEqual(RD.share(net, lr[..., :DET.MIN_SIDE - 1, :], 2, "MR", "bicubic"), 0.0)

    def test_manifest_entry_names_its_graph_classes_scales_and_modalities(self):
        p = RD.params(10, {"2": 0.9})
        self.assertEqual((p["graph"], p["classes"], p["scales"], p["modalities"]),
                         ("resampler_detector", ["gaussian-spline", "bicubic"], ["2"], ["MR"]))
        self.assertEqual(RD.build()(torch.rand(2, 1, 32, 32)).shape, (2, len(RD.SCALES)))


if __name__ == "__main__":
    unittest.main()

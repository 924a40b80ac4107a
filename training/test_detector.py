"""Unit tests of the degradation detector's pieces (no data download: synthetic slices)."""
import unittest

import numpy as np
import torch

import detector as DET


def fake_data(n=3, side=128, seed=0):
    g = np.random.default_rng(seed)
    arrays = [(g.random((side, side)) * 100).astype(np.float32) for _ in range(n)]
    meta = {"slices": [{"split": "train", "subject": DET.TRAIN_SUBJECTS[0], "modality": "MR"} for _ in range(n)]}
    return arrays, meta


class DetectorTest(unittest.TestCase):
    def test_pairs_have_the_patch_shape_and_both_labels(self):
        arrays, meta = fake_data()
        sampler = DET.PairSampler(arrays, meta, seed=1)
        for s in DET.SCALES:
            x, y = sampler.batch(16, s)
            self.assertEqual(tuple(x.shape), (16, 1, DET.PATCH, DET.PATCH))
            self.assertTrue(set(y.tolist()) <= {0.0, 1.0})
        # the sampler's state restores the same pairs (resumable training)
        state = sampler.state()
        a = sampler.batch(4, 2)[0]
        sampler.load_state(state)
        self.assertTrue(torch.equal(a, sampler.batch(4, 2)[0]))

    def test_apodisation_keeps_the_mean_and_removes_high_frequencies(self):
        x = torch.rand(1, 1, 64, 64) * 100
        y = DET.apodised(x, 0.5, 0.1)
        self.assertAlmostEqual(float(y.mean()), float(x.mean()), delta=0.5)
        hi = lambda t: float(torch.fft.fft2(t - t.mean())[..., 28:36, 28:36].abs().mean())
        self.assertLess(hi(y), 0.5 * hi(x))

    def test_decisions_scale_invariance_routes_and_fallback(self):
        net = DET.DetectorNet().eval()
        lr = torch.rand(1, 1, 40, 40) * 50
        with torch.no_grad():
            graph = DET.DetectorGraph(net)
            self.assertTrue(torch.allclose(graph(lr), graph(lr * 7.0 - 3.0), atol=1e-5))   # any affine intensity scale
        for modality, route in DET.ROUTES.items():
            self.assertEqual(DET.decide(net, lr, 2, modality), (route, None))
        self.assertEqual(DET.decide(net, torch.rand(1, 1, DET.MIN_SIDE - 1, 40), 2, "MR"), (DET.FALLBACK, None))
        mode, p = DET.decide(net, lr, 2, "MR")
        self.assertIn(mode, ("kspace", "bicubic"))
        self.assertEqual(mode == "kspace", p >= 0.5)
        self.assertEqual(DET.decide(None, lr, 2, "MR"), ("auto", None))


if __name__ == "__main__":
    unittest.main()

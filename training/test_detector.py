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


class Fixed(torch.nn.Module):
    """A reader's body that returns the given per-position maps whatever the image."""

    def __init__(self, maps):
        super().__init__()
        self.maps = maps

    def forward(self, image):
        return self.maps


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

    def test_the_tuning_sampler_zooms_and_remaps_only_when_asked(self):
        arrays, meta = fake_data()
        plain = DET.PairSampler(arrays, meta, seed=2).batch(8, 2)
        # not asked for, nothing more is drawn: stage 4's pairs stay as they were
        self.assertTrue(torch.equal(plain[0], DET.PairSampler(arrays, meta, 2, 0.0, 0.0).batch(8, 2)[0]))
        for zoom_p, contrast_p in ((1.0, 0.0), (0.0, 1.0)):
            x, y = DET.PairSampler(arrays, meta, 2, zoom_p, contrast_p).batch(8, 2)
            self.assertEqual(x.shape, plain[0].shape)
            self.assertFalse(torch.equal(x, plain[0]))

    def test_blurred_training_slices_are_smoother(self):
        def roughness(smoothed):
            saved, DET.SMOOTHED = DET.SMOOTHED, smoothed
            try:
                x, _ = DET.PairSampler(*fake_data(), seed=2).batch(64, 2)
            finally:
                DET.SMOOTHED = saved
            x = x / x.std(dim=(2, 3), keepdim=True)
            return float((x[..., 1:, :] - x[..., :-1, :]).abs().mean())
        # white-noise slices: every pair blurred (sigma >= 0.4 px) before its degradation is smoother than none
        self.assertLess(roughness(1.0), 0.9 * roughness(0.0))

    def test_apodisation_keeps_the_mean_and_removes_high_frequencies(self):
        x = torch.rand(1, 1, 64, 64) * 100
        y = DET.apodised(x, 0.5, 0.1)
        self.assertAlmostEqual(float(y.mean()), float(x.mean()), delta=0.5)
        hi = lambda t: float(torch.fft.fft2(t - t.mean())[..., 28:36, 28:36].abs().mean())
        self.assertLess(hi(y), 0.5 * hi(x))

    def test_masking_zeroes_the_dark_background_and_keeps_the_tissue(self):
        x = torch.full((1, 1, 64, 64), 3.0)           # a noise-level background ...
        x[..., 16:48, 16:48] = 100.0                   # ... around a bright square
        y = DET.masked(x, 20.0)
        self.assertEqual(float(y[..., :8, :].abs().max()), 0.0)
        self.assertTrue(torch.equal(y[..., 16:48, 16:48], x[..., 16:48, 16:48]))
        # next to the tissue the local mean is high: a rim of background stays, as thresholded masks leave it
        self.assertEqual(float(y[..., 15, 32]), 3.0)

    def test_evidence_pooling_lets_informative_positions_decide(self):
        # per-position outputs: logit 1 and high evidence at one position of 64, logit -0.2 and none elsewhere
        maps = torch.full((1, 2 * len(DET.SCALES), 8, 8), -0.2)
        maps[:, len(DET.SCALES):] = 0.0
        maps[0, :len(DET.SCALES), 0, 0] = 1.0
        maps[0, len(DET.SCALES):, 0, 0] = 50.0
        readers = {pooling: DET.DetectorNet(pooling).eval() for pooling in ("mean", "evidence")}
        readers["evidence"].body = Fixed(maps)
        readers["mean"].body = Fixed(maps[:, :len(DET.SCALES)])
        image = torch.rand(1, 1, 8, 8)
        # the informative position decides the evidence reader; the mean reader sees the 63 others' average
        self.assertTrue(torch.allclose(readers["evidence"](image), torch.ones(1, 2), atol=1e-6))
        self.assertTrue(torch.allclose(readers["mean"](image), torch.full((1, 2), (1.0 - 63 * 0.2) / 64)))

    def test_the_detector_mixes_its_readers_per_scale(self):
        mean_reader = DET.DetectorNet("mean").eval()
        evidence_readers = [DET.DetectorNet("evidence").eval() for _ in range(2)]
        det = DET.Detector(mean_reader, evidence_readers).eval()
        lr = torch.rand(2, 1, 40, 40)
        with torch.no_grad():
            w = torch.tensor(DET.Detector.MEAN_WEIGHT)
            evidence = (evidence_readers[0](lr) + evidence_readers[1](lr)) / 2
            self.assertTrue(torch.allclose(det(lr), w * mean_reader(lr) + (1 - w) * evidence, atol=1e-6))
        self.assertEqual(len(DET.Detector.MEAN_WEIGHT), len(DET.SCALES))

    def test_decisions_scale_invariance_routes_and_fallback(self):
        net = DET.Detector(DET.DetectorNet("mean"), [DET.DetectorNet("evidence")]).eval()
        lr = torch.rand(1, 1, 40, 40) * 50
        with torch.no_grad():
            graph = DET.DetectorGraph(net)
            self.assertTrue(torch.allclose(graph(lr), graph(lr * 7.0 - 3.0), atol=1e-5))   # any affine intensity scale
        for modality, route in DET.ROUTES.items():
            self.assertEqual(DET.decide(net, lr, 2, modality), (route, None))
        self.assertEqual(DET.decide(net, torch.rand(1, 1, DET.MIN_SIDE - 1, 40), 2, "MR"), (DET.FALLBACK, None))
        mode, p = DET.decide(net, lr, 2, "MR")
        self.assertIn(mode, ("kspace", "bicubic"))
        self.assertEqual(mode == "kspace", p >= DET.THRESHOLD)
        self.assertEqual(DET.decide(None, lr, 2, "MR"), ("auto", None))


if __name__ == "__main__":
    unittest.main()

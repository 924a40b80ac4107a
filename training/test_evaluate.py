"""Unit tests of the uncertainty calibration (training/evaluate.py)."""
import unittest

import numpy as np
import torch

import evaluate as E


def part(subject, path, spread, n=4000, seed=0):
    """Errors whose size is `spread` times the SD, all on one path."""
    rng = np.random.default_rng(seed)
    sds = rng.uniform(0.5, 1.5, n)
    return {"subject": subject, "kind": path, "sds": sds, "errors": np.abs(rng.normal(0, spread * sds)),
            "paths": np.full(n, path)}


class OversampledTest(unittest.TestCase):
    def test_zoomed_slices_keep_their_size_and_centre_and_only_mr_is_zoomed(self):
        y, x = np.mgrid[0:40, 0:48].astype(np.float32)
        disc = ((y - 19.5) ** 2 + (x - 23.5) ** 2 < 8 ** 2).astype(np.float32) * 100
        subjects = {("MR", "a"): [(disc, {"prompt": "mr"})], ("CT", "b"): [(disc, {"prompt": "ct"})]}
        out = E.zoomed_subjects(subjects, 2.0)
        self.assertEqual(list(out), [("MR", "a")])
        (z, meta), = out[("MR", "a")]
        self.assertEqual(z.shape, disc.shape)
        self.assertEqual(meta["prompt"], "mr")
        # twice the radius about the same centre: the disc's area is four times as large
        self.assertAlmostEqual(float((z > 50).sum()) / float((disc > 50).sum()), 4.0, delta=0.3)
        cy, cx = (np.argwhere(z > 50).mean(0))
        self.assertAlmostEqual(float(cy), 19.5, delta=0.6)
        self.assertAlmostEqual(float(cx), 23.5, delta=0.6)
        self.assertGreaterEqual(float(z.min()), 0.0)


class CalibrationTest(unittest.TestCase):
    def test_each_path_gets_the_scale_its_own_errors_need(self):
        parts = [part("a", "kspace", 4.0, seed=1), part("a", "bicubic", 1.0, seed=2),
                 part("b", "kspace", 4.0, seed=3), part("b", "bicubic", 1.0, seed=4)]
        pooled, by_path, rows = E._calibrate(parts)
        self.assertAlmostEqual(by_path["kspace"] / by_path["bicubic"], 4.0, delta=0.4)
        self.assertTrue(by_path["bicubic"] < pooled < by_path["kspace"])
        for r in rows:    # leave-one-subject-out: the other subject's path scale holds about 95% of this one's errors
            self.assertAlmostEqual(r["coverage_calibrated_loso"], E.COVERAGE_TARGET, delta=0.02)
        # one scale for both paths covers the wide path too little and the narrow one too much
        pooled_cov = {r["degradation"]: r["coverage_pooled_loso"] for r in rows if r["subject"] == "a"}
        self.assertLess(pooled_cov["kspace"], 0.93)
        self.assertGreater(pooled_cov["bicubic"], 0.99)

    def test_a_path_no_other_subject_took_falls_back_to_their_pooled_scale(self):
        parts = [part("a", "kspace", 2.0, seed=1), part("b", "bicubic", 2.0, seed=2)]
        _, by_path, rows = E._calibrate(parts)
        self.assertEqual(set(by_path), {"kspace", "bicubic"})
        for r in rows:
            self.assertAlmostEqual(r["coverage_calibrated_loso"], r["coverage_pooled_loso"])


class UncertaintyMapTest(unittest.TestCase):
    def test_a_ramp_has_its_slope_everywhere_and_a_flat_slice_none(self):
        y, x = torch.meshgrid(torch.arange(6.0), torch.arange(7.0), indexing="ij")
        g = E.gradient_rms((0.3 * x - 0.4 * y)[None, None])
        self.assertTrue(torch.allclose(g, torch.full_like(g, 0.5), atol=1e-6))
        self.assertEqual(float(E.gradient_rms(torch.full((1, 1, 5, 5), 2.0)).abs().max()), 0.0)

    def test_it_is_numpys_gradient_then_the_3x3_mean_with_edges_repeated(self):
        a = np.random.default_rng(3).normal(size=(5, 8))
        gy, gx = np.gradient(a)
        p = np.pad(gy ** 2 + gx ** 2, 1, mode="edge")
        want = np.sqrt(sum(p[i:i + 5, j:j + 8] for i in range(3) for j in range(3)) / 9)
        got = E.gradient_rms(torch.from_numpy(a)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-12)

    def test_the_map_adds_the_weighted_gradient_to_the_sd_in_quadrature(self):
        mean = torch.zeros(1, 1, 4, 4)
        mean[..., 2:] = 1.0
        sd = torch.full_like(mean, 0.03)
        m = E.uncertainty_sd(mean, sd, weight=0.1)
        want = torch.sqrt(sd ** 2 + (0.1 * E.gradient_rms(mean)) ** 2)
        self.assertTrue(torch.allclose(m, want))
        self.assertTrue(torch.all(m >= sd))
        self.assertTrue(torch.allclose(E.uncertainty_sd(mean, sd, weight=0.0), sd))


if __name__ == "__main__":
    unittest.main()

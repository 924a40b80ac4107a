"""Unit tests of the uncertainty calibration (training/evaluate.py)."""
import unittest

import numpy as np

import evaluate as E


def part(subject, path, spread, n=4000, seed=0):
    """Errors whose size is `spread` times the SD, all on one path."""
    rng = np.random.default_rng(seed)
    sds = rng.uniform(0.5, 1.5, n)
    return {"subject": subject, "kind": path, "sds": sds, "errors": np.abs(rng.normal(0, spread * sds)),
            "paths": np.full(n, path)}


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


if __name__ == "__main__":
    unittest.main()

"""Unit tests of the MR k-space refiner (training/refiner.py)."""
import unittest

import torch

import degrade as D
import refiner as R


class RefinerTest(unittest.TestCase):
    def setUp(self):
        g = torch.Generator().manual_seed(3)
        self.hr = torch.rand(2, 1, 32, 48, generator=g)
        self.lr = D.kspace_down(self.hr, 2)
        self.projected = D.data_consistency(D.zero_filled(self.lr, 2) + 0.1 * torch.rand(2, 1, 32, 48, generator=g), self.lr, 2, "kspace")

    def test_an_untrained_refiner_leaves_the_projected_sample_as_it_is(self):
        out = R.refine(R.Refiner(8, 1).eval(), self.projected, self.lr, 2)
        self.assertLess(float((out - self.projected).abs().max()), 1e-5)

    def test_its_output_is_projected_onto_the_input_again(self):
        net = R.Refiner(8, 1).eval()
        torch.nn.init.normal_(net.out.weight, std=0.5)       # a refiner that changes the image
        out = R.refine(net, self.projected, self.lr, 2)
        self.assertGreater(float((out - self.projected).abs().max()), 1e-3)
        self.assertLess(D.dc_residual(out, self.lr, 2, "kspace"), 1e-5)

    def test_each_pass_is_the_refiner_then_the_projection(self):
        net = R.Refiner(8, 1).eval()
        torch.nn.init.normal_(net.out.weight, std=0.5)
        once = R.refine(net, self.projected, self.lr, 2, passes=1)
        twice = R.refine(net, self.projected, self.lr, 2, passes=2)
        self.assertTrue(torch.allclose(twice, R.refine(net, once, self.lr, 2, passes=1), atol=1e-6))
        self.assertGreater(float((twice - once).abs().max()), 1e-4)
        self.assertLess(D.dc_residual(twice, self.lr, 2, "kspace"), 1e-5)
        for s in (2, 4):        # by default, the passes the manifest names for the path and scale
            lr = D.kspace_down(self.hr, s)
            start = D.data_consistency(D.zero_filled(lr, s) + 0.1, lr, s, "kspace")
            self.assertTrue(torch.equal(R.refine(net, start, lr, s), R.refine(net, start, lr, s, passes=R.PASSES["kspace"][s])))
        self.assertEqual(R.params(10, 1)["passes"]["kspace"], {str(s): n for s, n in R.PASSES["kspace"].items()})

    def test_on_the_resampled_path_it_projects_with_the_bicubic_operator(self):
        net = R.Refiner(8, 1).eval()
        torch.nn.init.normal_(net.out.weight, std=0.5)
        lr = D.degrade(self.hr, 2, "bicubic")
        start = D.data_consistency(D.upsample(lr, 2), lr, 2, "bicubic")
        out = R.refine(net, start, lr, 2, "bicubic")
        self.assertGreater(float((out - start).abs().max()), 1e-3)
        self.assertLess(D.dc_residual(out, lr, 2, "bicubic"), 1e-4)

    def test_it_runs_only_on_the_mr_kspace_and_resampled_paths(self):
        self.assertTrue(R.applies("kspace", "MR"))
        self.assertTrue(R.applies("bicubic", "MR"))
        self.assertFalse(R.applies("kspace", "CT"))
        self.assertFalse(R.applies("auto", "MR"))

    def test_the_diffusion_takes_ref_steps_where_the_refiner_follows_and_default_steps_elsewhere(self):
        cfg = {"ref_iters": 10, "ref_steps": 1, "default_steps": 2}
        self.assertEqual(R.sampling_steps(cfg, "kspace", "MR"), 1)
        self.assertEqual(R.sampling_steps(cfg, "bicubic", "MR"), 1)
        self.assertEqual(R.sampling_steps(cfg, "bicubic", "CT"), 2)
        self.assertEqual(R.sampling_steps(cfg, "auto", "MR"), 2)
        self.assertEqual(R.sampling_steps(dict(cfg, ref_iters=0), "kspace", "MR"), 2)    # no refiner trained
        self.assertEqual(R.params(10, 1)["steps"], 1)


if __name__ == "__main__":
    unittest.main()

"""Run: /usr/bin/python3 -m unittest discover -s training -p 'test_*.py'"""
import unittest

import torch

import degrade as D


def phantom(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1, 1, n, n, generator=g) * 0.1
    x[..., n // 4:3 * n // 4, n // 5:4 * n // 5] += 1
    return x


class Projections(unittest.TestCase):
    def test_auto_projection_is_safe_on_the_right_grid_only(self):
        hr = phantom()
        for kind, grid in (("kspace", "kspace"), ("bicubic", "centred"), ("area", "centred")):
            for s in (2, 4):
                moved = D.lowband_consistency(hr, D.degrade(hr, s, kind), s, grid) - hr
                self.assertLess(float(moved.norm() / hr.norm()), 0.01, (kind, grid, s))
        wrong = D.lowband_consistency(hr, D.degrade(hr, 2, "bicubic"), 2, "kspace") - hr
        self.assertGreater(float(wrong.norm() / hr.norm()), 0.03)

    def test_auto_projection_enforces_its_band(self):
        hr, out = phantom(seed=1), phantom(seed=2)
        lr = D.degrade(hr, 2, "kspace")
        once = D.lowband_consistency(out, lr, 2, "kspace")
        self.assertLess(D.lowband_residual(once, lr, 2, "kspace"), 1e-6)
        self.assertGreater(D.lowband_residual(out, lr, 2, "kspace"), 1e-3)

    def test_a_stored_floor_next_to_bright_pixels_is_held_below_it(self):
        lr = torch.tensor([[[[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 10.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]])
        estimate = torch.full_like(lr, 0.5)
        estimate[0, 0, 3, 3] = -2.0
        t = D.floored_input(estimate, lr, 0.0, depth=0.06)
        self.assertEqual(float(t[0, 0, 1, 2]), 10.0)                     # above the floor: the input
        self.assertAlmostEqual(float(t[0, 0, 1, 1]), -0.6, places=5)    # next to the bright pixel: 6% of it below
        self.assertAlmostEqual(float(t[0, 0, 0, 0]), 0.0, places=5)     # out of its reach: the floor
        self.assertEqual(float(t[0, 0, 3, 3]), -2.0)                     # a lower estimate is kept
        self.assertTrue(torch.equal(D.floored_input(estimate, lr, 0.0, depth=0.0),
                                    torch.where(lr <= 0, estimate.clamp(max=0.0), lr)))   # depth 0: the floor (2.9.1)

    def test_kspace_projection_reads_a_stored_floor_as_at_most_it(self):
        # a lower matrix stored unsigned: its ringing below zero is clipped to 0, the file's floor
        hr, out = phantom(seed=4), phantom(seed=5)
        true_lr = D.degrade(hr, 2, "kspace")
        stored = true_lr.clamp(min=0.0)
        self.assertGreater(int((true_lr < 0).sum()), 10)
        at_floor = stored <= 0
        plain = D.data_consistency(out, stored, 2, "kspace")
        self.assertLess(D.dc_residual(plain, stored, 2, "kspace"), 1e-5)         # no floor: the projection of before
        floored = D.data_consistency(out, stored, 2, "kspace", floor=0.0)
        a = D.degrade(floored, 2, "kspace")
        self.assertLess(float((a - stored)[~at_floor].abs().max()), 1e-4)         # above the floor: the input exactly
        self.assertLess(float(a[at_floor].max()), 1e-4)                           # at it: the floor or below
        self.assertLess(float(a[at_floor].min()), -1e-3)                          # ... and below where the estimate is
        self.assertLess(D.dc_residual(floored, stored, 2, "kspace", floor=0.0), 1e-5)
        again = D.data_consistency(floored, stored, 2, "kspace", floor=0.0)
        self.assertLess(float((again - floored).abs().max()), 1e-5)               # a projection: idempotent
        self.assertTrue(torch.equal(D.data_consistency(out, stored, 2, "bicubic", floor=0.0),
                                    D.data_consistency(out, stored, 2, "bicubic")))  # the other operators ignore it

    def test_other_resamplers_keep_the_grid_and_the_mean_but_not_the_contract_filter(self):
        hr = phantom(seed=6) + 2.0
        for s in (2, 4):
            ours = D.bicubic_down(hr, s)
            for name, down in D.OTHER_RESAMPLERS.items():
                lr = down(hr, s)
                self.assertEqual(tuple(lr.shape), tuple(ours.shape), name)
                flat = down(torch.full_like(hr, 3.0), s)
                self.assertLess(float((flat - 3.0).abs().max()), 1e-3, name)                 # a constant stays put
                self.assertLess(abs(float(lr.mean() - ours.mean())), 0.02, name)            # the same pixel centres
                self.assertGreater(float((lr - ours).abs().max()), 1e-3, name)               # another filter

    def test_gaussian_spline_is_scikit_images_resize_as_scipy_computes_it(self):
        import numpy as np
        from scipy import ndimage
        for n, s in ((37, 2), (64, 2), (38, 4)):
            x = torch.rand(1, 1, n, n + 6, dtype=torch.float64)
            centres = np.meshgrid((np.arange(n // s) + 0.5) * s - 0.5, (np.arange((n + 6) // s) + 0.5) * s - 0.5, indexing="ij")
            blurred = ndimage.gaussian_filter(x[0, 0].numpy(), (s - 1) / 2, mode="mirror")
            want = ndimage.map_coordinates(blurred, centres, order=3, mode="mirror")
            self.assertLess(float(np.abs(D.gaussian_spline_down(x, s)[0, 0].numpy() - want).max()), 1e-12)

    def test_resampled_projection_enforces_the_blended_operator(self):
        hr = phantom(seed=8)
        lr = D.gaussian_spline_down(hr, 2)
        up = D.upsample(lr, 2)
        for share in (0.0, 0.4, 1.0):
            out = D.data_consistency(up, lr, 2, "bicubic", None, share)
            self.assertLess(D.dc_residual(out, lr, 2, "bicubic", None, share), 1e-4, share)
        # its ends are the two operators
        self.assertTrue(torch.equal(D.resampled_down(hr, 2, 0.0), D.bicubic_down(hr, 2)))
        self.assertTrue(torch.equal(D.resampled_down(hr, 2, 1.0), D.gaussian_spline_down(hr, 2)))
        # between them, each axis's operator is the blend (a separable operator)
        blend = lambda n: 0.75 * D._axis_matrix("bicubic", n, 2) + 0.25 * D._axis_matrix("gaussian-spline", n, 2)
        want = blend(hr.shape[-2]) @ hr[0, 0].double() @ blend(hr.shape[-1]).T
        self.assertLess(float((D.resampled_down(hr, 2, 0.25)[0, 0] - want).abs().max()), 1e-6)
        self.assertLess(float((D._separable(hr, 2, lambda n: D._axis_matrix("bicubic", n, 2)) - D.bicubic_down(hr, 2)).abs().max()), 1e-6)

    def test_training_projection_matches_the_product_and_passes_gradients(self):
        hr = phantom(seed=3)
        guess = D.upsample(D.degrade(hr, 2, "bicubic"), 2) + 0.05
        for kind in ("kspace", "area", "bicubic", "auto"):
            lr = D.degrade(hr, 2, "kspace" if kind == "auto" else kind)
            x = guess.clone().requires_grad_(True)
            y = D.training_consistency(x, lr, 2, kind, "MR")
            y.sum().backward()
            self.assertTrue(torch.isfinite(x.grad).all())
            exact = D.consistency(guess, lr, 2, kind, "MR")
            tol = 1e-5 if kind in ("kspace", "auto") else 5e-2   # area and bicubic: 6 CG steps in training
            self.assertLess(float((y.detach() - exact).abs().max()), tol, kind)

    def test_noisy_magnitude_pairs_share_one_complex_image(self):
        hr = phantom(seed=4).abs() + 1
        noisy, z = D.magnitude_with_noise(hr, 0.05, torch.Generator().manual_seed(0))
        self.assertTrue(torch.allclose(noisy, z.abs().float()))
        lr = D.kspace_down_complex(z, 2)
        self.assertEqual(tuple(lr.shape), (1, 1, 32, 32))
        self.assertTrue(bool((lr >= 0).all()))

    def test_a_phased_complex_image_gives_the_same_noisy_magnitude(self):
        hr = phantom(seed=5).abs() + 1
        phase = torch.exp(1j * torch.linspace(-3, 3, hr.shape[-1], dtype=torch.float64))
        plain, _ = D.magnitude_with_noise(hr, 0.0, None)
        self.assertIs(plain, hr)
        a, za = D.magnitude_with_noise(hr, 0.05, torch.Generator().manual_seed(1))
        b, zb = D.magnitude_with_noise(hr * phase, 0.05, torch.Generator().manual_seed(1))
        self.assertTrue(torch.allclose(zb.angle().sub(za.angle()).abs().mean(), torch.tensor(1.5, dtype=torch.float64), atol=0.5))
        # the noise is rotation-invariant: the same image and noise level, whatever the phase, give the same spread
        self.assertAlmostEqual(float((a - hr).std()), float((b - hr).std()), delta=0.01)


class StoredTest(unittest.TestCase):
    def test_an_mr_slice_is_rounded_and_clipped_as_an_unsigned_file_stores_it(self):
        lr = torch.tensor([[[[-37.2, -0.4, 12.6, 70000.0]]]])
        self.assertEqual(D.stored(lr, "MR").flatten().tolist(), [0.0, 0.0, 13.0, 65535.0])

    def test_a_ct_slice_keeps_its_negative_values(self):
        lr = torch.tensor([[[[-1500.4, -1024.0, 10.4]]]])
        self.assertEqual(D.stored(lr, "CT").flatten().tolist(), [-1500.0, -1024.0, 10.0])


if __name__ == "__main__":
    unittest.main()

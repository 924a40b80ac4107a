"""Unit tests of the band limit for scanner-interpolated MR inputs (training/bandlimit.py)."""
import unittest

import numpy as np
import torch

import bandlimit as BL
import degrade as D


def phantom(n=128, seed=0):
    """A positive, noisy, smooth image, as magnitude MR slices are."""
    g = np.random.default_rng(seed)
    x = g.standard_normal((n, n)).cumsum(0).cumsum(1)
    return torch.from_numpy(x - x.min() + 50 + 3 * g.standard_normal((n, n)))[None, None].float()


class BandLimitTest(unittest.TestCase):
    def test_a_zero_filled_scan_cut_at_x2_shows_where_its_band_ends(self):
        hr = BL.zero_filled_scan(phantom(), 0.375)
        for kind in ("kspace", "bicubic"):
            found = BL.detect(D.degrade(hr, 2, kind))
            self.assertEqual(set(found), {"rows", "columns"}, kind)
            for where in found.values():
                self.assertAlmostEqual(where, 0.75, delta=0.05)

    def test_an_acquired_scan_shows_none(self):
        for kind in ("kspace", "bicubic"):
            self.assertEqual(BL.detect(D.degrade(phantom(seed=1), 2, kind)), {}, kind)

    def test_one_axis_zero_filled_limits_that_axis_only(self):
        x = phantom(seed=2)
        k = torch.fft.fftshift(torch.fft.fft2(x.double()))
        k[..., :, :40] = 0      # columns' direction: the central 48 of 128 kept
        k[..., :, 88:] = 0
        hr = torch.fft.ifft2(torch.fft.ifftshift(k)).abs().float()
        self.assertEqual(set(BL.detect(D.degrade(hr, 2, "kspace"))), {"columns"})

    def test_too_short_an_axis_is_not_read(self):
        hr = BL.zero_filled_scan(phantom(64), 0.375)
        self.assertEqual(BL.detect(D.degrade(hr, 2, "kspace")), {})    # 32 pixels < MIN_PIXELS

    def test_limiting_both_axes_of_a_kspace_projection_gives_zero_filled_fourier(self):
        lr = D.degrade(BL.zero_filled_scan(phantom(seed=3), 0.375), 2, "kspace")
        out = D.data_consistency(torch.rand(1, 1, 128, 128) * 100, lr, 2, "kspace")
        limited = BL.keep_band(out, BL.input_band(lr.shape, {"rows": 0.75, "columns": 0.75}))
        # equal but for the input's Nyquist bins, which the limit drops (a band-limited input holds next to nothing there)
        self.assertLess(float((limited - D.zero_filled(lr, 2)).abs().max()), 1e-3 * float(lr.abs().max()))
        self.assertLess(D.dc_residual(limited, lr, 2, "kspace"), 1e-3)

    def test_an_input_smaller_than_its_acquired_matrix_keeps_to_that_band(self):
        self.assertEqual(BL.acquired_band((1, 1, 32, 48), 4, (64, 64)), {"rows": 32, "columns": 32})
        self.assertEqual(BL.acquired_band((1, 1, 32, 48), 4, (40, 40)), {"rows": 20})  # columns: 48 is not below 40
        self.assertEqual(BL.acquired_band((1, 1, 32, 48), 2, (64, 64)), {"columns": 32})  # rows: 64 is not above 64
        self.assertEqual(BL.acquired_band((1, 1, 24, 32), 2, (24, 32)), {})            # at its acquired matrix: alone
        self.assertEqual(BL.acquired_band((1, 1, 32, 32), 4, None), {})
        # a scan zero-filled from half its matrix, cut to a quarter: the acquired band is the HR's own band
        hr = BL.zero_filled_scan(phantom(seed=4), 0.5)
        lr = D.degrade(hr, 4, "kspace")
        out = D.data_consistency(torch.rand(1, 1, 128, 128) * 100, lr, 4, "kspace")
        limited = BL.apply(out, lr, (64, 64))
        spectrum = torch.fft.fft2(limited.double()).abs()
        f = torch.fft.fftfreq(128, 1 / 128).abs()
        self.assertLess(float(spectrum[..., f > 32, :].max()), 1e-6 * float(spectrum.max()))
        self.assertLess(float(spectrum[..., :, f > 32].max()), 1e-6 * float(spectrum.max()))
        self.assertLess(D.dc_residual(limited, lr, 4, "kspace"), 1e-3)             # the input's band is untouched
        self.assertLess(float((limited - hr).pow(2).mean()), float((out - hr).pow(2).mean()))

    def test_no_axes_leave_the_output_as_it_is(self):
        out = torch.rand(2, 1, 32, 48)
        self.assertIs(BL.keep_band(out, BL.input_band((16, 24), {})), out)


if __name__ == "__main__":
    unittest.main()

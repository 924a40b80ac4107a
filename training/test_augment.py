"""Unit tests of the augmentations the samplers share (training/augment.py)."""
import random
import unittest

import torch

import augment


def three_tissues():
    """A slice of three tissues on a dark background, with a smooth ramp across the middle one."""
    x = torch.zeros(1, 1, 64, 64)
    x[..., 8:56, 8:24], x[..., 8:56, 40:56] = 100.0, 60.0
    x[..., 8:56, 24:40] = torch.linspace(20.0, 80.0, 16)
    return x


class AnotherContrastTest(unittest.TestCase):
    def test_is_a_smooth_function_of_intensity_that_keeps_the_background_dark(self):
        x = three_tissues()
        r = random.Random(3)
        outs = [augment.another_contrast(x, r) for _ in range(20)]
        for y in outs:
            self.assertEqual(y.shape, x.shape)
            self.assertEqual(float(y[..., :8, :].abs().max()), 0.0)                      # background stays at 0
            tissue = y[..., 8:56, 8:24]
            self.assertTrue(bool((tissue == tissue.flatten()[0]).all()))                 # a function of intensity
            self.assertLessEqual(float(y.max()), 1.3 * float(x.max()))                  # the slice's own scale
            steps = (y[..., 30, 25:39] - y[..., 30, 24:38]).abs()                        # no crease along the ramp
            self.assertLess(float(steps.max()), 0.5 * float(x.max()))
        # tissues are reordered in some draws (here: the 60 tissue above the 100 one), kept in others
        flipped = [float(y[0, 0, 30, 48]) > float(y[0, 0, 30, 16]) for y in outs]
        self.assertTrue(any(flipped) and not all(flipped))


if __name__ == "__main__":
    unittest.main()

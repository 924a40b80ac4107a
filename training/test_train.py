"""Unit tests of the training arithmetic (train.precision, train.bf16_forwards, models.GroupNorm32)."""
import unittest

import torch

import config
import models
import train

CPU = torch.device("cpu")


class PrecisionTest(unittest.TestCase):
    def test_auto_is_bf16_only_where_the_hardware_computes_it(self):
        auto = dict(config.DEFAULT.as_dict(), precision="auto")
        self.assertEqual(train.precision(auto, CPU), "bf16" if train.native_bf16(CPU) else "fp32")
        self.assertEqual(train.precision(dict(auto, precision="fp32"), CPU), "fp32")
        self.assertEqual(train.precision(dict(auto, precision="bf16"), CPU), "bf16")

    def test_trained_forwards_compute_in_bf16_and_hand_float32_out(self):
        torch.manual_seed(0)
        net = models.Res(8, 8)
        torch.nn.init.normal_(net.c2.weight, std=0.3)      # the zero-initialised last conv would hide the arithmetic
        x = torch.randn(2, 8, 16, 16)
        exact = net(x)
        with train.bf16_forwards([net], CPU, True):
            low = net(x)
        self.assertEqual(low.dtype, torch.float32)
        err = float((low - exact).abs().max())
        self.assertGreater(err, 0.0)                        # it did run in bfloat16
        self.assertLess(err, 0.05 * float(exact.abs().max()))
        self.assertTrue(torch.equal(net(x), exact))          # and the class's forward is back afterwards

    def test_disabled_leaves_the_forward_alone(self):
        net = models.Res(8, 8)
        x = torch.randn(1, 8, 8, 8)
        with train.bf16_forwards([net], CPU, False):
            self.assertNotIn("forward", vars(net))
            self.assertTrue(torch.equal(net(x), models.Res.forward(net, x)))

    def test_group_norm_takes_bfloat16_and_computes_in_float32(self):
        gn = models.norm(16)
        x = torch.randn(2, 16, 8, 8) * 5 + 3
        out = gn(x.bfloat16())
        self.assertEqual(out.dtype, torch.bfloat16)
        self.assertLess(float((out.float() - gn(x)).abs().max()), 0.05)


if __name__ == "__main__":
    unittest.main()

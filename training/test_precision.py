"""Unit tests of the training arithmetic (training/precision.py, models.GroupNorm32)."""
import unittest

import torch

import config
import models
import precision as PR

CPU = torch.device("cpu")


class PrecisionTest(unittest.TestCase):
    def test_auto_is_bf16_only_where_the_hardware_computes_it(self):
        auto = dict(config.DEFAULT.as_dict(), precision="auto")
        self.assertEqual(PR.precision(auto, CPU), "bf16" if PR.native_bf16(CPU) else "fp32")
        self.assertEqual(PR.precision(dict(auto, precision="fp32"), CPU), "fp32")
        self.assertEqual(PR.precision(dict(auto, precision="bf16"), CPU), "bf16")

    def test_trained_forwards_compute_in_bf16_and_hand_float32_out(self):
        torch.manual_seed(0)
        net = models.Res(8, 8)
        torch.nn.init.normal_(net.c2.weight, std=0.3)      # the zero-initialised last conv would hide the arithmetic
        x = torch.randn(2, 8, 16, 16)
        exact = net(x)
        with PR.bf16_forwards([net], CPU, True):
            low = net(x)
        self.assertEqual(low.dtype, torch.float32)
        err = float((low - exact).abs().max())
        self.assertGreater(err, 0.0)                        # it did run in bfloat16
        self.assertLess(err, 0.05 * float(exact.abs().max()))
        self.assertTrue(torch.equal(net(x), exact))          # and the class's forward is back afterwards

    def test_disabled_leaves_the_forward_alone(self):
        net = models.Res(8, 8)
        x = torch.randn(1, 8, 8, 8)
        with PR.bf16_forwards([net], CPU, False):
            self.assertNotIn("forward", vars(net))
            self.assertTrue(torch.equal(net(x), models.Res.forward(net, x)))

    def test_a_refiners_frozen_sample_is_bf16_only_where_the_run_trains_in_it(self):
        lin = torch.nn.Linear(4, 4)

        class Frozen:          # a diffusion stand-in: its sample is a matrix product of the condition
            def sample(self, x_up, prompts, steps, seed):
                self.dtype = lin(x_up).dtype
                return lin(x_up)

        batch, pl = {"x_up": torch.randn(2, 4), "prompts": ["", ""]}, Frozen()
        self.assertEqual(PR.frozen_sample(pl, batch, 1, 0, {"precision": "bf16"}, CPU).dtype, torch.float32)
        self.assertEqual(pl.dtype, torch.bfloat16)
        self.assertEqual(PR.frozen_sample(pl, batch, 1, 0, {"precision": "fp32"}, CPU).dtype, torch.float32)
        self.assertEqual(pl.dtype, torch.float32)

    def test_group_norm_takes_bfloat16_and_computes_in_float32(self):
        gn = models.norm(16)
        x = torch.randn(2, 16, 8, 8) * 5 + 3
        out = gn(x.bfloat16())
        self.assertEqual(out.dtype, torch.bfloat16)
        self.assertLess(float((out.float() - gn(x)).abs().max()), 0.05)


if __name__ == "__main__":
    unittest.main()

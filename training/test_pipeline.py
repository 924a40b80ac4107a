"""Unit tests of the PyTorch sampling loop's pieces and of the module layering of training/."""
import subprocess
import sys
import unittest

import torch

import config
import models
import pipeline as PL


class PipelineTest(unittest.TestCase):
    def test_timesteps_are_diffusers_trailing_spacing_within_the_start(self):
        self.assertEqual(PL.timesteps(2, 0.1, 1000), [99, 49])
        self.assertEqual(PL.timesteps(1, 0.1, 1000), [99])
        self.assertEqual(PL.timesteps(4, 0.3, 1000), [299, 224, 149, 74])

    def test_the_schedule_falls_from_one(self):
        ac = models.alphas_cumprod(config.CONFIGS["default"])
        self.assertEqual(len(ac), config.DEFAULT.num_train_timesteps)
        self.assertLess(float(ac[-1]), float(ac[0]))
        self.assertTrue(bool((ac[1:] < ac[:-1]).all()))
        self.assertAlmostEqual(float(ac[0]), 1 - config.DEFAULT.beta_start, places=6)

    def test_regression_keeps_the_shape_of_any_padded_input(self):
        cfg = config.CONFIGS["smoke"]
        rg = models.Regression(cfg["f"], tuple(cfg["unet_chs"])).eval()
        pl = PL.Pipeline(cfg, None, None, None, rg, 1.0)
        self.assertEqual(tuple(pl.regression(torch.zeros(1, 1, 50, 70)).shape), (1, 1, 50, 70))

    def test_the_pipeline_does_not_import_the_training_stages(self):
        code = "import sys; sys.path.insert(0, 'training'); import pipeline, evaluate, curve; print('train' in sys.modules)"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(out, "False")

    def test_a_rehearsal_caps_every_stage_of_its_configuration_only(self):
        saved = {k: dict(v) for k, v in config.CONFIGS.items()}
        try:
            config.rehearse("gpu", 3)
            gpu = config.CONFIGS["gpu"]
            # a stage the configuration skips (0 iterations) stays skipped
            self.assertEqual({k: gpu[k] for k in config.ITERATION_SETTINGS},
                             {k: min(3, saved["gpu"][k]) for k in config.ITERATION_SETTINGS})
            self.assertIn(0, [gpu[k] for k in config.ITERATION_SETTINGS])
            self.assertEqual((gpu["ckpt_every"], gpu["curve_every"]), (3, 3))
            self.assertEqual(gpu["dm_batch"], saved["gpu"]["dm_batch"])        # the networks and data stay the gpu's
            self.assertEqual(config.CONFIGS["default"], saved["default"])
        finally:
            for k, v in saved.items():
                config.CONFIGS[k].clear()
                config.CONFIGS[k].update(v)

    def test_every_setting_has_help(self):
        self.assertTrue(all(line.split(": ", 1)[1] for line in config.help_text().splitlines()))
        self.assertEqual(set(config.CONFIGS["default"]), set(config.CONFIGS["gpu"]))


if __name__ == "__main__":
    unittest.main()

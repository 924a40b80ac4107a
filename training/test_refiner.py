"""Unit tests of the MR k-space refiner (training/refiner.py)."""
import unittest

import torch
import torch.nn.functional as F

import degrade as D
import refiner as R
import test_augment
import train


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


class ZoomStageTest(unittest.TestCase):
    """Stage 5c: the refiner's last fine-tuning, with zoomed MR and photographs."""

    def test_the_shipped_refiner_is_the_last_stage_the_run_trains(self):
        cfg = {"ref_iters": 10, "ref_polish_iters": 5, "ref_blocks": 3, "ref_keep_blocks": 2, "ref_prune_iters": 5,
               "ref_zoom_iters": 5}
        self.assertEqual(R.shipped_stage(cfg), R.ZOOM_STAGE)
        self.assertEqual(R.shipped_stage(dict(cfg, ref_zoom_iters=0)), R.PRUNE_STAGE)
        self.assertEqual(R.shipped_stage(dict(cfg, ref_zoom_iters=0, ref_prune_iters=0)), "refiner_polish")
        self.assertEqual(R.shipped_stage(dict(cfg, ref_zoom_iters=0, ref_prune_iters=0, ref_polish_iters=0)), "refiner")
        self.assertEqual(R.shipped_stage({k: v for k, v in cfg.items() if k != "ref_zoom_iters"}), R.PRUNE_STAGE)

    def test_its_sampler_zooms_mr_and_photographs_and_keeps_the_refiners_mix(self):
        cfg = {"ct_p": 0.3, "mr_kspace_p": 0.5, "auto_p": {"MR": 0.1}, "photo_p": 0.15, "zoom_p": 0.4, "contrast_p": 0.2}
        out = R.zoom_sampler_cfg(cfg)
        self.assertEqual((out["mr_zoom_p"], out["mr_contrast_p"]), (0.4, 0.2))
        self.assertEqual({k: out[k] for k in ("ct_p", "mr_kspace_p", "auto_p", "photo_p")},
                         {k: R.sampler_cfg(cfg)[k] for k in ("ct_p", "mr_kspace_p", "auto_p", "photo_p")})
        self.assertNotIn("mr_zoom_p", R.sampler_cfg(cfg))
        self.assertNotIn("mr_contrast_p", R.sampler_cfg(cfg))

    def test_a_zoomed_mr_slice_keeps_its_size_and_is_smoother(self):
        g = torch.Generator().manual_seed(7)
        x = torch.rand(1, 1, 64, 64, generator=g)
        meta = {"slices": [{"split": "train", "modality": "MR"}]}
        base = {"coarsen_p": 0.0, "fov_crop_p": 0.0, "refine_p": 0.3}

        def geometry(cfg):
            return train.Sampler([x[0, 0].numpy()], meta, cfg, 5).geometry(x, meta["slices"][0], 32)

        plain, zoomed = geometry(base), geometry(dict(base, mr_zoom_p=1.0))
        self.assertEqual(zoomed.shape, plain.shape)
        roughness = lambda y: float((y[..., 1:, :] - y[..., :-1, :]).pow(2).mean())
        self.assertLess(roughness(zoomed), 0.6 * roughness(plain))
        self.assertGreaterEqual(float(zoomed.min()), float(x.min()))
        # with no MR zoom asked for, an MR slice draws nothing more: the other stages' data stay as they were
        self.assertTrue(torch.equal(geometry(dict(base, mr_zoom_p=0.0)), plain))

    def test_the_zoom_stages_give_other_contrasts_only_when_asked(self):
        x = test_augment.three_tissues()
        meta = {"slices": [{"split": "train", "modality": "MR"}]}
        base = {"coarsen_p": 0.0, "fov_crop_p": 0.0}

        # asked for in every draw, the geometry gives another contrast; not asked for, it draws nothing more
        def geometry(cfg):
            return train.Sampler([x[0, 0].numpy()], meta, cfg, 5).geometry(x, meta["slices"][0], 32)

        self.assertFalse(torch.equal(geometry(dict(base, mr_contrast_p=1.0)), geometry(base)))
        self.assertTrue(torch.equal(geometry(dict(base, mr_contrast_p=0.0)), geometry(base)))



class _Frozen:
    """The frozen diffusion's stand-in for the pruning's unit tests: its sample is the condition as it came."""

    def sample(self, x_up, prompts, steps, seed):
        return x_up


class _Batches:
    """Training batches of lower-matrix patches, each its own random HR."""

    def __init__(self):
        self.g = torch.Generator().manual_seed(5)

    def batch(self, n, patch, s):
        hr = torch.rand(n, 1, patch, patch, generator=self.g)
        lr = D.kspace_down(hr, s)
        return {"hr": hr, "lr": lr, "x_up": D.zero_filled(lr, s), "prompts": [""] * n}


class PruningTest(unittest.TestCase):
    cfg = {"ref_batch": 2, "ref_patch": 16, "ref_iters": 10, "ref_steps": 1, "default_steps": 2, "pre_dc_weight": 0.1,
           "ref_blocks": 3, "ref_keep_blocks": 2, "ref_prune_iters": 5, "ref_prune_teacher": 0.5}

    def net(self):
        torch.manual_seed(0)
        net = R.Refiner(8, 3).eval()
        torch.nn.init.normal_(net.out.weight, std=0.1)
        return net

    def test_a_pruned_refiner_is_the_blocks_it_keeps_between_the_first_and_last_convolutions(self):
        net = self.net()
        for b in net.body:
            torch.nn.init.normal_(b.c2.weight, std=0.1)
        y, s = torch.rand(2, 1, 16, 16), torch.full((2,), 2.0)
        self.assertTrue(torch.equal(R.pruned(net, [0, 1, 2])(y, s), net(y, s)))
        kept = R.pruned(net, [0, 2])
        self.assertEqual(len(kept.body), 2)
        x = F.pixel_unshuffle(y, 2)
        h = net.body[2](net.body[0](net.inp(torch.cat([x, torch.full_like(x[:, :1], 0.5)], 1))))
        self.assertTrue(torch.allclose(kept(y, s), y + F.pixel_shuffle(net.out(F.silu(h)), 2), atol=1e-6))

    def test_the_block_whose_absence_costs_least_goes_first_and_ties_keep_their_order(self):
        net = self.net()     # blocks 0 and 2 add nothing (their last convolution is zero); block 1 wrecks the output
        torch.nn.init.normal_(net.body[1].c2.weight, std=3.0)
        self.assertEqual(R.lesion_order(net, _Frozen(), _Batches(), self.cfg, "cpu", batches=2), [1, 0, 2])

    def test_a_run_prunes_only_to_fewer_blocks_with_iterations_to_fine_tune_them(self):
        self.assertTrue(R.pruning(self.cfg))
        self.assertEqual(R.shipped_blocks(self.cfg), 2)
        for change in ({"ref_keep_blocks": 3}, {"ref_keep_blocks": 0}, {"ref_prune_iters": 0}):
            cfg = dict(self.cfg, **change)
            self.assertFalse(R.pruning(cfg))
            self.assertEqual(R.shipped_blocks(cfg), 3)

    def test_its_loss_adds_the_distance_to_the_unpruned_refiners_output(self):
        teacher = self.net()
        student = R.pruned(teacher, [0, 1])
        torch.manual_seed(1)
        with_teacher = R.distil_step(student, teacher, _Frozen(), _Batches(), 0, self.cfg, "cpu")
        alone = R.distil_step(student, teacher, _Frozen(), _Batches(), 0, dict(self.cfg, ref_prune_teacher=0.0), "cpu")
        # blocks 0-2 add nothing here: the pruned refiner is the teacher, so the distance term is zero
        self.assertAlmostEqual(float(with_teacher), float(alone), places=6)
        torch.nn.init.normal_(student.body[0].c2.weight, std=0.5)
        moved = R.distil_step(student, teacher, _Frozen(), _Batches(), 0, self.cfg, "cpu")
        moved_alone = R.distil_step(student, teacher, _Frozen(), _Batches(), 0, dict(self.cfg, ref_prune_teacher=0.0), "cpu")
        self.assertGreater(float(moved) - float(moved_alone), 1e-6)
        moved.backward()
        self.assertIsNotNone(student.body[0].c1.weight.grad)


if __name__ == "__main__":
    unittest.main()

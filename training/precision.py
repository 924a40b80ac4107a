"""The training arithmetic (config `precision`): bfloat16 where the hardware computes it natively, float32 elsewhere.

Why: on a CPU with avx512_bf16 (this VM's EPYC) bf16 autocast more than halves the networks' share of a training step
(the diffusion's: 0.09 s against 0.22 s; the frozen diffusion that makes a refiner's inputs: 0.05 s against 0.18 s),
and issue 12 gives the default recipe 150 minutes of CPU. Only the networks run in bf16, their weights and optimiser
state stay float32, and what they hand on is float32: the data and their degradations, the projections and the losses
are computed as before. Sampling for evaluation, the exported graphs and the product are float32 whatever was trained.
"""
import contextlib
import functools

import torch


def native_bf16(dev):
    """Whether `dev` computes bfloat16 natively: elsewhere autocast emulates it, slower than float32."""
    return _native_bf16(torch.device(dev).type)


@functools.lru_cache(maxsize=None)
def _native_bf16(kind):
    """Per device kind, read once: a refiner stage asks at every iteration (frozen_sample)."""
    if kind == "cuda":
        return torch.cuda.is_bf16_supported()
    try:
        flags = next((line for line in open("/proc/cpuinfo") if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def precision(cfg, dev):
    """"bf16" or "fp32": the config's `precision`, "auto" resolved for `dev`."""
    p = cfg.get("precision", "fp32")
    return ("bf16" if native_bf16(dev) else "fp32") if p == "auto" else p


@contextlib.contextmanager
def bf16_forwards(modules, dev, enabled):
    """While it lasts, the forward passes of `modules` (the networks a stage trains) run under bf16 autocast and hand
    float32 out, so that everything after them (frozen networks, projections, losses) computes as in float32."""
    def autocast(forward):
        def run(*args, **kwargs):
            with torch.autocast(torch.device(dev).type, dtype=torch.bfloat16):
                out = forward(*args, **kwargs)
            return out.float() if torch.is_tensor(out) else out
        return run

    modules = list(modules) if enabled else []
    for m in modules:
        m.forward = autocast(m.forward)
    try:
        yield
    finally:
        for m in modules:
            del m.forward       # the class's own forward again


def frozen_sample(pl, batch, steps, seed, cfg, dev):
    """The frozen diffusion's sample of a training batch, a refiner's input before its projection: in bf16 where the run
    trains in it, handed out as float32. Its projected samples are about 60 dB PSNR from the float32 ones the product
    makes, where their error to the HR patch is 22-32 dB (training patches, x2 and x4), so the refiner learns on what
    it will be given."""
    with torch.autocast(torch.device(dev).type, dtype=torch.bfloat16, enabled=precision(cfg, dev) == "bf16"):
        return pl.sample(batch["x_up"].to(dev), batch["prompts"], steps=steps, seed=seed).float()

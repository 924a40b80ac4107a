"""Random sources whose state a checkpoint can hold, so a resumed stage draws what an unbroken one would."""
import random

import torch


class Seeded:
    """A Python RNG and a torch generator, seeded together; `state()` / `load_state()` for checkpoints."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.gen = torch.Generator().manual_seed(seed)

    def state(self):
        return dict(rng=self.rng.getstate(), gen=self.gen.get_state())

    def load_state(self, s):
        self.rng.setstate(s["rng"])
        self.gen.set_state(s["gen"])

"""Run: /usr/bin/python3 -m unittest discover -s training -p 'test_*.py'"""
import json
import os
import unittest

import prompt

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class PromptVectors(unittest.TestCase):
    def test_vectors(self):
        with open(os.path.join(ROOT, "docs", "prompt-vectors.json")) as f:
            vectors = json.load(f)
        self.assertGreater(len(vectors), 0)
        for v in vectors:
            self.assertEqual(prompt.build_prompt(v["metadata"]), v["prompt"], v["metadata"])

    def test_tokenizer(self):
        ids = prompt.tokenize("MR head, T1 axial zzz")
        v = prompt.VOCAB
        self.assertEqual(ids[:5], [v.index("mr"), v.index("head"), v.index("t1"),
                                   v.index("axial"), prompt.UNK_ID])
        self.assertEqual(len(ids), prompt.MAX_LENGTH)
        self.assertEqual(prompt.tokenize(""), [0] * prompt.MAX_LENGTH)
        self.assertEqual(len(set(v)), len(v))
        for w in prompt.ANATOMY + prompt.WEIGHTINGS + prompt.PLANES:
            self.assertIn(w, v)


if __name__ == "__main__":
    unittest.main()

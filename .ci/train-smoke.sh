#!/usr/bin/env bash
# CI: run the whole training recipe (fetch -> prepare -> train -> export -> evaluate -> ONNX check
# with onnxruntime-node -> card) on tiny data in a temp dir (kept if MEDSR_SMOKE_KEEP is set).
# Never writes into models/.
# Needs: /usr/bin/python3 with torch (python3-torch), python3-onnx, python3-scipy, python3-pil, python3-pydicom,
# apt-get download access to Debian, node with onnxruntime-node installed (npm ci), the build
# (npm run build) and the test corpus in .cache/corpus (npm test's pretest fetches both).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${MEDSR_PYTHON:-/usr/bin/python3}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/medsr-train-smoke.XXXXXX")"
trap '[ -n "${MEDSR_SMOKE_KEEP:-}" ] || rm -rf "$TMP"' EXIT
cd "$ROOT"
node -e "require('onnxruntime-node')" || { echo "onnxruntime-node is not installed (run npm ci first)" >&2; exit 1; }
"$PY" -m unittest discover -s training -p 'test_*.py'
start=$(date +%s)
MEDSR_THREADS="${MEDSR_THREADS:-2}" timeout "${MEDSR_SMOKE_TIMEOUT:-900}" \
  "$PY" training/recipe.py --config smoke --out "$TMP/medsr-smoke" --work "$TMP/work" --no-bench
"$PY" - "$TMP/medsr-smoke" <<'PYEOF'
import json, os, sys
sys.path.insert(0, "training")
import config, detector, refiner, train
d = sys.argv[1]
idx = json.load(open(os.path.join(d, "model_index.json")))
for name in ("text_encoder", "vae_encoder", "vae_decoder", "unet", "regression", "detector", "ct_detector",
             "resampler_detector", "refiner", "ct_refiner"):
    assert os.path.exists(os.path.join(d, idx["graphs"][name]["file"])), name
assert idx["metrics"]["sr"], "no evaluation rows"
assert {r["stage"] for r in idx["training"]["curve"]} == {"regression", "diffusion", train.DM_ZOOM_STAGE, "refiner", refiner.PRUNE_STAGE, refiner.ZOOM_STAGE}, "no learning curve"
assert idx["training"]["stages"][train.DM_ZOOM_STAGE]["iters"] == config.SMOKE.dm_zoom_iters, "no zoomed diffusion"
assert refiner.pruning(config.SMOKE.as_dict()) and idx["training"]["stages"][refiner.PRUNE_STAGE]["iters"] == config.SMOKE.ref_prune_iters, "no pruned refiner"
assert refiner.zooming(config.SMOKE.as_dict()) and idx["training"]["stages"][refiner.ZOOM_STAGE]["iters"] == config.SMOKE.ref_zoom_iters, "no zoomed refiner"
assert all(idx["training"]["stages"][detector.TUNE_STAGE.format(name)]["iters"] == config.SMOKE.det_tune_iters
           for name, _, _ in detector.READERS), "no tuned detector readers (stage 4d)"
assert idx["detector"]["train_iterations"] == config.SMOKE.det_iters + config.SMOKE.det_tune_iters, "detector iterations"
assert {r["zoom"] for r in idx["metrics"]["oversampled"]} == {1.5, 2.0}, "no oversampled rows"
assert {(r["modality"], r["degradation"]) for r in idx["metrics"]["external"]} == {("CT", "area"), ("CT", "bicubic"), ("MR", "kspace"), ("MR", "bicubic")}, "no external rows for both modalities"
assert idx["metrics"]["external_magnitude"] and idx["metrics"]["external_goals"], "no external magnitude rows or goals"
assert {r["modality"] for r in idx["metrics"]["external_uncertainty"]} == {"CT", "MR"}, "no external coverage"
assert idx["refiner"]["degradations"] == ["kspace", "bicubic"], "no refiner entry for both MR paths"
assert idx["ct_detector"]["classes"] == ["area", "bicubic"] and "CT" not in idx["detector"]["routes"], "CT is not judged"
assert idx["metrics"]["ct_detector"]["rows"], "no CT routing table"
assert idx["resampler_detector"]["classes"] == ["gaussian-spline", "bicubic"], "no resampler detector entry"
assert {r["made_by"] for r in idx["metrics"]["other_resamplers"]} >= {"contract bicubic", "gaussian-spline"}, "no resampler rows"
assert idx["ct_refiner"]["degradations"] == ["area", "bicubic"] and idx["ct_refiner"]["steps"] == config.SMOKE.ref_steps, "no CT refiner entry"
assert idx["refiner"]["passes"]["kspace"] == {str(k): n for k, n in refiner.PASSES["kspace"].items()}, "no refiner passes"
assert idx["refiner"]["steps"] == config.SMOKE.ref_steps, "no diffusion steps for the refiner's paths"
assert "while training" in open(os.path.join(d, "README.md")).read(), "card without the learning curve"
print("smoke model_index OK:", sorted(idx["graphs"]))
PYEOF
# The export must satisfy the product's own contract: the TypeScript CLI loads it (zod manifest,
# graph names and shapes) and upscales a real MR and a real CT slice with it.
[ -f dist/cli/main.js ] || { echo "dist/ is missing (run npm run build first)" >&2; exit 1; }
MR_SMALL=.cache/corpus/python3-pydicom/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small.dcm
MEDSR_LOG_LEVEL=warn node bin/medsr.js upscale "$MR_SMALL" --model "$TMP/medsr-smoke" --scale 2 --steps 1 --device cpu --out "$TMP/upscaled"
# and a real CT slice, which its CT detector routes
MEDSR_LOG_LEVEL=warn node bin/medsr.js upscale "${MR_SMALL%/*}/CT_small.dcm" --model "$TMP/medsr-smoke" --scale 2 --steps 1 --device cpu --out "$TMP/upscaled-ct"
echo "train-smoke OK in $(( $(date +%s) - start ))s"

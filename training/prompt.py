"""Prompt builder and word tokenizer (docs/model-contract.md, "The prompt" and "tokenizer.json").

Both must reproduce docs/prompt-vectors.json exactly; src/ingest implements the same rule in TS.
"""
import re

ANATOMY = ["head", "neck", "chest", "abdomen", "pelvis", "spine", "knee", "shoulder", "hip",
           "ankle", "wrist", "breast", "heart", "extremity"]
SYNONYMS = {"brain": "head", "skull": "head", "headneck": "head", "thorax": "chest",
            "abdomenpelvis": "abdomen", "cspine": "spine", "tspine": "spine", "lspine": "spine"}
DWI_WORDS = {"dwi", "diffusion", "dti", "adc", "b0", "trace", "diff"}
PLANES = ["sagittal", "coronal", "axial"]
WEIGHTINGS = ["t1", "t2", "pd", "flair", "dwi"]
MODALITIES = ["mr", "ct", "cr", "dx", "us", "pt", "nm", "xa", "mg", "ot"]

# Vocabulary: broad enough for every word the prompt rule can produce, plus common
# series-description words a user might type. Order is fixed (ids are part of the model).
VOCAB = (["<pad>", "<unk>"] + MODALITIES + ANATOMY + WEIGHTINGS + PLANES +
         ["brain", "skull", "thorax", "spine", "contrast", "gd", "fs", "fat", "sat", "stir",
          "tse", "fse", "se", "gre", "epi", "mprage", "spgr", "vibe", "space", "cube", "3d", "2d",
          "ax", "cor", "sag", "tra", "post", "pre", "swi", "adc", "b0", "b1000", "trace",
          "lung", "bone", "soft", "tissue", "low", "dose", "angio", "perfusion", "liver",
          "kidney", "prostate", "orbit", "sinus", "temporal", "pituitary", "face", "foot",
          "hand", "elbow", "leg", "arm", "cardiac", "whole", "body"])
# Task words (model 2.0): the pipeline puts "<scale> <degradation>" before the content prompt, so the
# network is told what it is solving; "auto" means the degradation is unknown (the default).
SCALE_WORDS = {2: "x2", 4: "x4"}
DEGRADATION_WORDS = {"kspace": "kspace", "bicubic": "resampled", "area": "area", "auto": "auto"}
VOCAB = VOCAB + list(SCALE_WORDS.values()) + list(DEGRADATION_WORDS.values())
# de-duplicate, keep first occurrence
_seen = set()
VOCAB = [w for w in VOCAB if not (w in _seen or _seen.add(w))]
MAX_LENGTH = 16
PAD_ID = 0
UNK_ID = 1


def words(text):
    if text is None:
        return []
    return [w for w in re.split(r"[^a-z0-9]+", str(text).lower()) if w]


def _anatomy_word(w):
    w = SYNONYMS.get(w, w)
    return w if w in ANATOMY else None


def anatomy(md):
    bp = md.get("BodyPartExamined")
    if bp is not None:
        key = re.sub(r"[\s_]+", "", str(bp).lower())
        a = _anatomy_word(key)
        if a:
            return a
    for field in ("SeriesDescription", "StudyDescription"):
        for w in words(md.get(field)):
            a = _anatomy_word(w)
            if a:
                return a
    return None


def weighting(md):
    ws = set(words(md.get("SeriesDescription")) + words(md.get("ProtocolName")) +
             words(md.get("SequenceName")))
    if "flair" in ws:
        return "flair"
    if ws & DWI_WORDS or md.get("DiffusionBValue") is not None:
        return "dwi"
    if "t2" in ws:
        return "t2"
    if "pd" in ws:
        return "pd"
    if ws & {"t1", "mprage", "spgr"}:
        return "t1"
    tr, te = md.get("RepetitionTime"), md.get("EchoTime")
    if tr is not None and te is not None:
        tr, te = float(tr), float(te)
        if tr < 1000 and te < 30:
            return "t1"
        if tr >= 2000 and te >= 60:
            return "t2"
        if tr >= 2000 and te < 30:
            return "pd"
    return None


def plane(md):
    iop = md.get("ImageOrientationPatient")
    if not iop or len(iop) != 6:
        return None
    r, c = [float(v) for v in iop[:3]], [float(v) for v in iop[3:]]
    n = [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]]
    a = [abs(v) for v in n]
    return PLANES[a.index(max(a))]


def build_prompt(md):
    out = []
    mod = md.get("Modality")
    if mod:
        out.append(str(mod).strip().lower())
    a = anatomy(md)
    if a:
        out.append(a)
    if mod and str(mod).strip().upper() == "MR":
        w = weighting(md)
        if w:
            out.append(w)
    p = plane(md)
    if p:
        out.append(p)
    return " ".join(out)


def task_prefix(scale, degradation):
    """The words that tell the network the scale and the degradation ("auto": unknown)."""
    return f"{SCALE_WORDS[scale]} {DEGRADATION_WORDS[degradation]}"


def conditioned(prompt, scale, degradation):
    """The text the text encoder sees: task words first, so truncation only ever cuts content words."""
    return (task_prefix(scale, degradation) + " " + (prompt or "")).strip()


def tokenizer_json():
    return {"type": "word", "lowercase": True, "max_length": MAX_LENGTH, "pad_id": PAD_ID,
            "unk_id": UNK_ID, "vocab": VOCAB}


_INDEX = {w: i for i, w in enumerate(VOCAB)}


def tokenize(text):
    ids = [_INDEX.get(w, UNK_ID) for w in words(text)][:MAX_LENGTH]
    return ids + [PAD_ID] * (MAX_LENGTH - len(ids))

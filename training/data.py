"""Fetch the Debian packages of /work/shared/DATA.md, read the real scans, cut them into slices.

Everything lands in training/.work/ (git-ignored); no image is ever committed.
"""
import glob
import gzip
import json
import os
import struct
import subprocess
import tarfile

import numpy as np

PACKAGES = {
    "mricron-data": "GPL-2+ (mricron), Colin27 template (ch2) courtesy of the MNI",
    "invesalius-examples": "GPL-2",
    "libvolpack1-dev": "BSD-3-Clause (VolPack)",
    "insighttoolkit5-examples": "Apache-2.0 (ITK)",
    "python3-dipy": "BSD-3-Clause (DIPY)",
    "heudiconv": "Apache-2.0 (heudiconv test data)",
    "python3-pydicom": "Expat (pydicom; its test files are anonymised public data sets)",
    "python3-nibabel": "MIT (nibabel test data)",
    "dicomnifti": "BSD-2-Clause (its example DICOM file, debian/tests/data/0001.dcm, by Chris Rorden: Debian copyright file)",
    "python3-skimage": "BSD-3-Clause (scikit-image, Debian copyright file: Files: *); only its photographs are used, as non-medical HR content",
    "lomiri-wallpapers-16.04": "per file (Debian copyright file): CC-BY-4.0, CC-BY-SA-4.0, CC0-1.0; photographs only, credits in the data table",
    "lomiri-wallpapers-20.04": "per file (Debian copyright file): CC-BY-SA-3.0; photographs only, credits in the data table",
    "mate-backgrounds": "GPL-2+ (Debian copyright file, Files: backgrounds/nature/*); photographs only, credits in the data table",
}
# Real photographs from Debian's desktop-background packages (not rendered art; picked by eye), with each file's
# licence and credit from the package's copyright file: (package, path in the package, licence, credit). Taken
# as greyscale, resized (antialiased) to a short side of WALLPAPER_SIDE so that their detail is at the pixel scale.
WALLPAPERS = [
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg", "CC-BY-4.0", "Aitzol Berasategi"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg", "CC-BY-4.0", "Aitzol Berasategi"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg", "CC-BY-4.0", "Aitzol Berasategi"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg", "CC-BY-4.0", "Aitzol Berasategi"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/Dragonfly_by_Bolly.jpg", "CC-BY-SA-4.0", "Bolly"),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/Picture_0B_by_freespace.jpg", "CC-BY-4.0", "Trevor \"Freespace\""),
    ("lomiri-wallpapers-16.04", "usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg", "CC0-1.0", "Clemens Engelhardt"),
    ("lomiri-wallpapers-20.04", "usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg", "CC-BY-SA-3.0", "Lukas Baubkus"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/Blinds.jpg", "GPL-2+", "Lennart Poettering, Andrea Cimitan"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/GreenMeadow.jpg", "GPL-2+", "Timothy Schellhase, Lapo Calamandrei"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/Wood.jpg", "GPL-2+", "Jean-François Fortin Tam"),
    ("mate-backgrounds", "usr/share/backgrounds/mate/nature/LadyBird.jpg", "GPL-2+", "Charles Barbin"),
]
WALLPAPER_PACKAGES = {w[0] for w in WALLPAPERS}
WALLPAPER_SIDE = 768
# Real photographs of python3-skimage's data folder (greyscale, random intensity curves at training time):
# extra HR content (edges, textures, gradients) where medical data is scarce. Left out on purpose: retina,
# cell, ihc, microaneurysms (medical or microscopy images: medical training data is DATA.md's scans only),
# text, page, logo, clock_motion and the synthetic test patterns.
PHOTOS = ["astronaut.png", "brick.png", "camera.png", "chelsea.png", "coffee.png", "coins.png", "grass.png",
          "gravel.png", "moon.png", "motorcycle_left.png", "rocket.jpg", "hubble_deep_field.jpg"]
SKIMAGE_DATA = "usr/lib/python3/dist-packages/skimage/data"
PYDICOM_TEST_FILES = "usr/lib/python3/dist-packages/pydicom/data/test_files"
PASL_EXAMPLE = "usr/share/doc/dicomnifti/examples/0001.dcm"
# bump when the slices (or their split) change: prepare() rebuilds a cached slices.npz of another version
DATA_VERSION = 6


def fetch(work, wallpapers=True):
    """apt-get download + dpkg-deb -x every package into work/debs and work/root (the smoke run skips the
    73 MB of wallpaper packages)."""
    debs = os.environ.get("MEDSR_DEB_CACHE") or os.path.join(work, "debs")
    root = os.path.join(work, "root")
    os.makedirs(debs, exist_ok=True)
    os.makedirs(root, exist_ok=True)
    versions = {}
    for pkg in PACKAGES:
        if pkg in WALLPAPER_PACKAGES and not wallpapers:
            continue
        have = glob.glob(os.path.join(debs, pkg + "_*.deb"))
        if not have:
            subprocess.run(["apt-get", "download", pkg], cwd=debs, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            have = glob.glob(os.path.join(debs, pkg + "_*.deb"))
        deb = sorted(have)[-1]
        versions[pkg] = os.path.basename(deb)[len(pkg) + 1:].rsplit("_", 1)[0]
        stamp = os.path.join(root, "." + os.path.basename(deb))
        if not os.path.exists(stamp):
            subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
            open(stamp, "w").close()
    return root, versions


def read_nifti(path):
    b = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    dim = struct.unpack("<8h", b[40:56])
    dt = struct.unpack("<h", b[70:72])[0]
    pix = struct.unpack("<8f", b[76:108])
    off = int(struct.unpack("<f", b[108:112])[0])
    slope, inter = struct.unpack("<2f", b[112:120])
    dtype = {2: np.uint8, 4: np.int16, 8: np.int32, 16: np.float32, 512: np.uint16}[dt]
    shape = dim[1:1 + dim[0]]
    n = int(np.prod(shape))
    a = np.frombuffer(b, dtype=dtype, count=n, offset=off).reshape(shape, order="F").astype(np.float32)
    if slope not in (0.0, 1.0) or inter != 0.0:
        a = a * (slope or 1.0) + inter
    return a, pix[1:4]


def _crop4(a):
    h, w = a.shape
    return a[: h - h % 4, : w - w % 4]


def _slices(vol, axis, plane):
    out = []
    for i in range(vol.shape[axis]):
        out.append((np.take(vol, i, axis=axis), plane, i))
    return out


def load_subjects(root):
    """Return a list of subjects: {name, modality, prompt_base, slices: [(array, plane, index)]}."""
    subs = []
    # Colin27: x (L-R), y (P-A), z (I-S) at 1 mm isotropic: all three planes
    v, _ = read_nifti(os.path.join(root, "usr/share/mricron/templates/ch2.nii.gz"))
    sl = _slices(v, 2, "axial") + _slices(v, 1, "coronal") + _slices(v, 0, "sagittal")
    subs.append(dict(name="colin27_t1", modality="MR", weighting="t1", slices=sl,
                     source="mricron-data: usr/share/mricron/templates/ch2.nii.gz"))
    # brainsmall: 62-byte header then uint8 [z][y][x] 84x128x128 (weighting not documented)
    b = open(os.path.join(root, "usr/share/doc/libvolpack1-dev/examples/brainsmall.den"), "rb").read()
    v = np.frombuffer(b, np.uint8, count=84 * 128 * 128, offset=62).reshape(84, 128, 128).astype(np.float32)
    subs.append(dict(name="volpack_brainsmall", modality="MR", weighting=None,
                     slices=_slices(v, 0, "axial"),
                     source="libvolpack1-dev: usr/share/doc/libvolpack1-dev/examples/brainsmall.den"))
    # dipy: DWI b0 slices (2x2 mm in-plane) and one T1 coronal slice
    d = os.path.join(root, "usr/lib/python3/dist-packages/dipy/data/files")
    v, _ = read_nifti(os.path.join(d, "S0_10slices.nii.gz"))
    v = v.reshape(v.shape[0], v.shape[1], -1)
    subs.append(dict(name="dipy_s0_dwi", modality="MR", weighting="dwi", slices=_slices(v, 2, "axial"),
                     source="python3-dipy: dipy/data/files/S0_10slices.nii.gz"))
    a = np.load(os.path.join(d, "t1_coronal_slice.npy")).astype(np.float32) * 255.0
    subs.append(dict(name="dipy_t1_coronal", modality="MR", weighting="t1", slices=[(a, "coronal", 0)],
                     source="python3-dipy: dipy/data/files/t1_coronal_slice.npy"))
    # ITK KmeansTest T1: 128x128x62 at 2x2x3 mm: axial only (validation subject for MR)
    v, _ = read_nifti(os.path.join(root, "usr/share/doc/insighttoolkit5-examples/examples/Data/KmeansTest_T1UCharRaw.nii.gz"))
    subs.append(dict(name="itk_kmeans_t1", modality="MR", weighting="t1", slices=_slices(v, 2, "axial"),
                     source="insighttoolkit5-examples: examples/Data/KmeansTest_T1UCharRaw.nii.gz"))
    # InVesalius Cranium CT: int16 HU [z][y][x] 108x256x256, 0.957 x 0.957 x 1.5 mm: axial only
    tf = tarfile.open(os.path.join(root, "usr/share/doc/invesalius-examples/examples/Cranium.inv3"))
    m = [x for x in tf.getmembers() if x.name.endswith("matrix.dat")][0]
    raw = tf.extractfile(m).read()
    v = np.frombuffer(raw, "<i2", count=108 * 256 * 256).reshape(108, 256, 256).astype(np.float32)
    subs.append(dict(name="invesalius_cranium_ct", modality="CT", weighting=None,
                     slices=_slices(v, 0, "axial"),
                     source="invesalius-examples: examples/Cranium.inv3 (matrix.dat)"))
    # heudiconv: Siemens 3 T multiband DWI b0, a 9 x 9 MOSAIC of 152 x 150 tiles at 1.5 mm. Another
    # vendor's scanner, sequence and patient: an external test, never trained on (first volume only:
    # the other two repeat the same anatomy).
    subs.append(dict(name="heudiconv_siemens_b0", modality="MR", weighting="dwi",
                     slices=_slices(_tiles(_dicom_slice(os.path.join(
                         root, "usr/lib/python3/dist-packages/heudiconv/tests/data/b0dwiForFmap/b0dwi_for_fmap+00001.dcm"))[0],
                         152, 150), 0, "axial"),
                     source="heudiconv: heudiconv/tests/data/b0dwiForFmap/b0dwi_for_fmap+00001.dcm"))
    # nibabel: a real fMRI EPI (128 x 96 x 24 at 2 x 2 x 2.2 mm), first time point: a third MR validation subject
    v, _ = read_nifti(os.path.join(root, "usr/lib/python3/dist-packages/nibabel/tests/data/example4d.nii.gz"))
    subs.append(dict(name="nibabel_example4d_epi", modality="MR", weighting=None,
                     slices=_slices(v.reshape(v.shape[0], v.shape[1], v.shape[2], -1)[..., 0], 2, "axial"),
                     source="python3-nibabel: nibabel/tests/data/example4d.nii.gz (first volume)"))
    # pydicom's CT test files: other patients, scanners and body parts than the one training CT, so an
    # external CT test (one slice each; scored only). Its other CTs are not usable as a reference:
    # 693_J2KI.dcm is lossy JPEG 2000, the octave ankle file is a rendered secondary capture.
    for name, file, what in (("pydicom_hitachi_head_ct", "J2K_pixelrep_mismatch.dcm", "Hitachi Supria head CT, 512 x 512"),
                             ("pydicom_ge_body_ct", "CT_small.dcm", "GE body CT, NEMA WG04 CT1 downsized to 128 x 128")):
        a, prompt = _dicom_slice(os.path.join(root, PYDICOM_TEST_FILES, file))
        subs.append(dict(name=name, modality="CT", weighting=None, external=True, prompt=prompt,
                         slices=[(a, "axial", 0)], source=f"python3-pydicom: pydicom/data/test_files/{file} ({what})"))
    # dicomnifti's example: a Siemens 3 T pulsed ASL EPI, one volume stored as a 5 x 5 MOSAIC of 72 x 72 tiles at 3 mm,
    # a native acquisition at its matrix: another patient, scanner and sequence, so an external MR test (scored only).
    # dicom3tools' example is another time point of the same series (the same anatomy) and is left out.
    a, prompt = _dicom_slice(os.path.join(root, PASL_EXAMPLE))
    subs.append(dict(name="dicomnifti_siemens_pasl", modality="MR", weighting=None, external=True, prompt=prompt,
                     slices=_slices(_tiles(a, 72, 72), 0, "axial"),
                     source=f"dicomnifti: {PASL_EXAMPLE} (Siemens 3 T pulsed ASL EPI, 72 x 72 tiles at 3 mm)"))
    return subs


def _dicom_slice(path):
    """A DICOM image in modality units (rescaled) and the prompt the product builds from its header."""
    import pydicom
    import prompt as P
    d = pydicom.dcmread(path)
    a = d.pixel_array.astype(np.float32) * float(d.get("RescaleSlope", 1) or 1) + float(d.get("RescaleIntercept", 0) or 0)
    md = {k: d.get(k) for k in ("Modality", "BodyPartExamined", "SeriesDescription", "StudyDescription",
                                "ProtocolName", "ImageOrientationPatient")}
    return a, P.build_prompt(md)


def _tiles(a, rows, cols):
    """A Siemens MOSAIC image -> [tile][y][x], blank trailing tiles included."""
    gy, gx = a.shape[0] // rows, a.shape[1] // cols
    return a.reshape(gy, rows, gx, cols).transpose(0, 2, 1, 3).reshape(gy * gx, rows, cols)


def body_fraction(a, modality):
    if modality == "CT":
        return float((a > -500).mean())
    hi = np.percentile(a, 99.5)
    return float((a > 0.1 * hi).mean()) if hi > 0 else 0.0


def prompt_for(sub, plane):
    if sub.get("prompt") is not None:
        return sub["prompt"]
    w = sub["weighting"]
    words = [sub["modality"].lower(), "head"] + ([w] if w and sub["modality"] == "MR" else []) + [plane]
    return " ".join(words)


CT_VAL = (44, 64)      # contiguous validation slab of the only CT volume (slices 44..63)
CT_GAP = 4             # slices on either side of the slab used for neither split
# MR validation: three subjects from three scanners and contrasts, none trained on (T1 2x2x3 mm, Siemens
# 3 T DWI b0 1.5 mm MOSAIC, fMRI EPI 2 mm); at most VAL_MAX_SLICES evenly spaced slices each
MR_VAL = ("itk_kmeans_t1", "heudiconv_siemens_b0", "nibabel_example4d_epi")
VAL_MAX_SLICES = 12


def photo_source(name):
    return f"python3-skimage: skimage/data/{name} (photograph, greyscale)"


def photo_subject(path):
    return "photo_" + os.path.basename(path).rsplit(".", 1)[0]


def wallpaper_source(package, path, licence, credit):
    return f"{package}: {path} (photograph by {credit}, {licence}; greyscale, short side {WALLPAPER_SIDE})"


def source_of(meta, subject):
    """Where a subject's slices come from (photographs of caches written before sources listed them too)."""
    if subject in meta["sources"]:
        return meta["sources"][subject]
    return photo_source(next(p for p in PHOTOS if photo_subject(p) == subject))


def load_photos(root, wallpapers=True):
    """(subject, greyscale float32 0..255 photograph, source): skimage's, then the wallpapers (resized)."""
    from PIL import Image
    out = []
    for name in PHOTOS:
        im = Image.open(os.path.join(root, SKIMAGE_DATA, name)).convert("L")
        out.append((photo_subject(name), np.asarray(im, dtype=np.float32), photo_source(name)))
    for package, path, licence, credit in (WALLPAPERS if wallpapers else []):
        im = Image.open(os.path.join(root, path)).convert("L")
        k = WALLPAPER_SIDE / min(im.size)
        im = im.resize((round(im.size[0] * k), round(im.size[1] * k)), Image.LANCZOS)
        out.append((photo_subject(path), np.asarray(im, dtype=np.float32), wallpaper_source(package, path, licence, credit)))
    return out


def prepare(work, smoke=False):
    """Write work/slices.npz: HR slices (modality units) with modality, prompt and split."""
    out = os.path.join(work, "slices_smoke.npz" if smoke else "slices.npz")
    if os.path.exists(out) and json.loads(str(np.load(out)["meta"])).get("version") == DATA_VERSION:
        return out
    root, versions = fetch(work, wallpapers=not smoke)
    subs = load_subjects(root)
    arrays, meta = [], []
    for s in subs:
        for a, plane, i in s["slices"]:
            a = _crop4(a)
            if min(a.shape) < 64 or body_fraction(a, s["modality"]) < 0.15:
                continue
            split = "external" if s.get("external") else "train"
            if s["name"] in MR_VAL:
                split = "val"
            if s["modality"] == "CT":
                if CT_VAL[0] <= i < CT_VAL[1]:
                    split = "val"
                elif CT_VAL[0] - CT_GAP <= i < CT_VAL[1] + CT_GAP:
                    continue
            arrays.append(a)
            meta.append(dict(subject=s["name"], modality=s["modality"], plane=plane, index=i,
                             prompt=prompt_for(s, plane), split=split, shape=list(a.shape)))
    arrays, meta = _thin_validation(arrays, meta)
    photos = load_photos(root, wallpapers=not smoke)
    for subject, a, _ in photos:
        arrays.append(_crop4(a))
        meta.append(dict(subject=subject, modality="PHOTO", plane=None, index=0,
                         prompt="", split="train", shape=list(_crop4(a).shape)))
    if smoke:  # a few slices per subject and split
        keep, count = [], {}
        for k, m in enumerate(meta):
            key = (m["subject"], m["split"])
            if count.get(key, 0) < (6 if m["split"] == "train" else 3):
                count[key] = count.get(key, 0) + 1
                keep.append(k)
        arrays = [arrays[k] for k in keep]
        meta = [meta[k] for k in keep]
    sources = {s["name"]: s["source"] for s in subs}
    sources.update({subject: source for subject, _, source in photos})
    np.savez(out, *arrays, meta=json.dumps(dict(version=DATA_VERSION, slices=meta, versions=versions, sources=sources)))
    return out


def _thin_validation(arrays, meta):
    """At most VAL_MAX_SLICES evenly spaced validation slices per subject (evaluation time on 2 cores)."""
    by = {}
    for k, m in enumerate(meta):
        if m["split"] == "val":
            by.setdefault(m["subject"], []).append(k)
    drop = set()
    for ks in by.values():
        if len(ks) > VAL_MAX_SLICES:
            keep = {ks[int(round(i * (len(ks) - 1) / (VAL_MAX_SLICES - 1)))] for i in range(VAL_MAX_SLICES)}
            drop |= set(ks) - keep
    return [a for k, a in enumerate(arrays) if k not in drop], [m for k, m in enumerate(meta) if k not in drop]


def load(path):
    z = np.load(path)
    meta = json.loads(str(z["meta"]))
    arrays = [z["arr_%d" % i].astype(np.float32) for i in range(len(meta["slices"]))]
    return arrays, meta


def pack(work, out_dir):
    """The prepared slices as float16, compressed, in out_dir/slices.npz (~30 MiB, under the GPU machine's
    64 MiB carry limit): a recipe run with --work out_dir uses them without fetching anything. float16 keeps
    MR values exactly (8-12 bit) and CT to within 1 HU."""
    arrays, meta = load(prepare(work))
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "slices.npz")
    np.savez_compressed(path, *[a.astype(np.float16) for a in arrays], meta=json.dumps(meta))
    return path


if __name__ == "__main__":
    import sys
    work = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".work")
    p = prepare(work)
    arrays, meta = load(p)
    from collections import Counter
    print(p, len(arrays), Counter((m["subject"], m["split"], m["plane"]) for m in meta["slices"]))

"""Write the model card's validation slices (training/.work/slices.npz, split "val") as DICOM.

    /usr/bin/python3 training/export_validation_dicom.py OUT_DIR [--work training/.work]

so that `npx medsr eval OUT_DIR/<subject> --scale 2` can be compared with the card
(docs/eval-reproduction.md). One series per validation subject, instance numbers in slice order:

- MR: MR Image Storage, 16-bit unsigned stored values equal to the array values (the validation
  subject is uint8 data), no rescale.
- CT: CT Image Storage, signed 16-bit stored values, RescaleSlope 1 / RescaleIntercept 0, so the
  modality values are the HU array exactly.

The prompt `buildPrompt` derives from these attributes (Modality, BodyPartExamined HEAD,
SeriesDescription with the weighting, axial ImageOrientationPatient) is checked against the
recipe's meta prompt. Needs pydicom (Debian: python3-pydicom).
"""
import argparse
import datetime
import os
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402

MR_STORAGE = "1.2.840.10008.5.1.4.1.1.4"
CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
# Voxel size (mm) of the validation sources (data.load_subjects); slices.npz does not record it.
SPACING = {"itk_kmeans_t1": (2.0, 2.0, 3.0), "heudiconv_siemens_b0": (1.5, 1.5, 1.5),
           "nibabel_example4d_epi": (2.0, 2.0, 2.2), "invesalius_cranium_ct": (0.957, 0.957, 1.5)}
# series descriptions whose words give the recipe's prompt (weighting words: t1, dwi; none for the EPI)
SERIES = {"itk_kmeans_t1": "T1 axial head", "heudiconv_siemens_b0": "DWI b0 axial head",
          "nibabel_example4d_epi": "EPI axial head", "invesalius_cranium_ct": "axial head"}


def _uid(*parts):
    return generate_uid(entropy_srcs=["medsr-validation"] + [str(p) for p in parts])


def prompt_of(ds):
    """The contract's prompt rule for the attributes written here (mirror of src/ingest/prompt.ts)."""
    words = [ds.Modality.lower(), ds.BodyPartExamined.lower()]
    toks = set("".join(c if c.isalnum() else " " for c in ds.SeriesDescription.lower()).split())
    if ds.Modality == "MR" and "t1" in toks:
        words.append("t1")
    if ds.Modality == "MR" and toks & {"dwi", "b0"}:
        words.append("dwi")
    words.append("axial")
    return " ".join(words)


def write_slice(path, a, m, k, study_uid, series_uid, frame_uid):
    mod = m["modality"]
    now = datetime.datetime(2026, 11, 22)
    sop_class = MR_STORAGE if mod == "MR" else CT_STORAGE
    sop_uid = _uid(m["subject"], m["index"], "sop")
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = _uid("implementation")
    ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, sop_uid
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = now.strftime("%Y%m%d")
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = "000000"
    ds.AccessionNumber = ""
    ds.Modality = mod
    ds.Manufacturer = "medsr validation export"
    ds.ReferringPhysicianName = ""
    ds.StudyDescription = "medsr model card validation"
    ds.SeriesDescription = f"{SERIES[m['subject']]} (medsr validation {m['subject']})"
    ds.PatientName = "VALIDATION^" + m["subject"].upper()
    ds.PatientID = m["subject"]
    ds.PatientBirthDate = ""
    ds.PatientSex = "O"
    ds.BodyPartExamined = "HEAD"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.StudyID = "1"
    ds.SeriesNumber = sorted(SERIES).index(m["subject"]) + 1
    ds.PatientPosition = "HFS"
    ds.InstanceNumber = k + 1
    ds.PatientOrientation = ["L", "P"]
    sx, sy, sz = SPACING[m["subject"]]
    ds.ImagePositionPatient = [0.0, 0.0, float(m["index"]) * sz]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.FrameOfReferenceUID = frame_uid
    ds.PositionReferenceIndicator = ""
    ds.SliceThickness = sz
    ds.SliceLocation = float(m["index"]) * sz
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = a.shape
    ds.PixelSpacing = [sy, sx]
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit = 15
    if mod == "MR":
        stored = np.rint(a).astype(np.uint16)
        assert np.array_equal(stored.astype(np.float32), a), "MR values are not whole numbers in 0..65535"
        ds.PixelRepresentation = 0
        ds.ScanningSequence = "SE"
        ds.SequenceVariant = "NONE"
        ds.ScanOptions = ""
        ds.MRAcquisitionType = "2D"
        ds.EchoTrainLength = 1
        ds.RepetitionTime = ds.EchoTime = None  # unknown (type 2): the prompt's weighting comes from "T1"
    else:
        stored = np.rint(a).astype(np.int16)
        assert np.array_equal(stored.astype(np.float32), a), "CT values are not whole HU in int16"
        ds.PixelRepresentation = 1
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = 0, 1, "HU"
        ds.KVP = ""
        ds.AcquisitionNumber = 1
        ds.WindowCenter, ds.WindowWidth = 40, 400
    ds.PixelData = np.ascontiguousarray(stored).tobytes()
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)
    return ds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--work", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".work"))
    args = ap.parse_args()
    arrays, meta = data.load(data.prepare(args.work))
    val = {}
    for a, m in zip(arrays, meta["slices"]):
        if m["split"] == "val":
            val.setdefault(m["subject"], []).append((a, m))
    study_uid = _uid("study")
    for subject, items in sorted(val.items()):
        mod = items[0][1]["modality"]
        d = os.path.join(args.out, subject)
        os.makedirs(d, exist_ok=True)
        series_uid, frame_uid = _uid(subject, "series"), _uid(subject, "frame")
        for k, (a, m) in enumerate(items):  # the recipe's order (_val in evaluate.py)
            ds = write_slice(os.path.join(d, "%03d.dcm" % (k + 1)), a, m, k, study_uid, series_uid, frame_uid)
            back = pydicom.dcmread(os.path.join(d, "%03d.dcm" % (k + 1)))
            mv = back.pixel_array.astype(np.float64) * float(getattr(back, "RescaleSlope", 1)) + float(getattr(back, "RescaleIntercept", 0))
            assert np.array_equal(mv, a.astype(np.float64)), "modality values differ from the array"
            assert prompt_of(ds) == m["prompt"], (prompt_of(ds), m["prompt"])
        print(f"{mod}: {len(items)} slices {items[0][0].shape} subject {items[0][1]['subject']} "
              f"indices {items[0][1]['index']}..{items[-1][1]['index']} prompt '{items[0][1]['prompt']}' -> {d}")


if __name__ == "__main__":
    main()

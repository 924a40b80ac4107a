"""Prints, as JSON, every text element (SH, LO, ST, LT, PN, UC, UT) of each DICOM file given,
decoded by pydicom (an implementation independent of ours): {file: {"0010,0010": [values]}}.
Sequence items are flattened into keys like "0040,0275[0]/0010,0010"."""
import json
import sys

import pydicom

TEXT_VRS = {"SH", "LO", "ST", "LT", "PN", "UC", "UT"}


def walk(ds, prefix, out):
    for elem in ds:
        key = f"{prefix}{elem.tag.group:04X},{elem.tag.element:04X}"
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value):
                walk(item, f"{key}[{i}]/", out)
        elif elem.VR in TEXT_VRS and elem.value is not None:
            values = elem.value if isinstance(elem.value, pydicom.multival.MultiValue) else [elem.value]
            out[key] = [str(v).rstrip(" \0") for v in values]


result = {}
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    ds.decode()
    out = {}
    walk(ds, "", out)
    result[path] = out
print(json.dumps(result, ensure_ascii=False))

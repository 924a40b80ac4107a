#!/usr/bin/env bash
# Installs the Debian packages the test suite uses when they are missing: DICOM validators and
# converters (dicom3tools, dcmtk, gdcm, dcm2niix), redis-server for the distributed-queue tests, chromium for
# the viewer tests, and Debian's CPU PyTorch for the training smoke run. Idempotent; needs root
# (or sudo) only when something is missing.
set -euo pipefail

want=(dicom3tools dcmtk libgdcm-tools dcm2niix redis-server chromium python3-torch python3-onnx python3-numpy python3-pydicom python3-scipy python3-pil libopenblas0-pthread unzip zip)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "system-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "system-deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Installs what the tests need from the system, from Debian's packages:
#   ffmpeg             ffmpeg/ffprobe: a real RTP sender, recorder and prober
#   chromium           headless Chromium for the browser end-to-end tests
#   protobuf-compiler  protoc, for the Python bindings of protocol/*.proto
#   python3-protobuf   the Python protobuf runtime for the cross-language test
# Without root or apt-get it fails and names the packages to install.
set -euo pipefail

missing=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
/usr/bin/python3 -c 'import google.protobuf' >/dev/null 2>&1 || missing+=(python3-protobuf)

if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: ffmpeg, chromium, protoc and python3-protobuf are installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "system-deps: installed ${missing[*]}"
else
  echo "system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "system-deps: install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

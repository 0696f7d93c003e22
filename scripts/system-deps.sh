#!/usr/bin/env bash
# Installs what the build and the tests need from the system, from Debian's
# packages:
#   python3, make, g++  building mediasoup-worker (packages/mediasoup)
#   libssl-dev          the OpenSSL 3 the worker links (headers, libssl.so)
#   ffmpeg              ffmpeg/ffprobe: a real RTP sender, recorder and prober
#   chromium            headless Chromium for the browser end-to-end tests
#   protobuf-compiler   protoc, for the Python bindings of protocol/*.proto
#   python3-protobuf    the Python protobuf runtime for the cross-language test
#
#   bash scripts/system-deps.sh          all of them (pnpm system-deps, test:all)
#   bash scripts/system-deps.sh engine   only the worker build's (run by
#                                        packages/mediasoup at pnpm install)
# Without root or apt-get it fails and names the packages to install.
set -euo pipefail

mode=${1:-all}
missing=()

command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
# OpenSSL 3 headers, as the worker build's own check sees them.
printf '#include <openssl/opensslv.h>\n#if !defined(OPENSSL_VERSION_MAJOR) || OPENSSL_VERSION_MAJOR < 3\n#error old\n#endif\n' |
  g++ -E -x c++ - >/dev/null 2>&1 || missing+=(libssl-dev)

if [ "$mode" = all ]; then
  command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
  /usr/bin/python3 -c 'import google.protobuf' >/dev/null 2>&1 || missing+=(python3-protobuf)
  wanted="python3, make, g++, libssl-dev, ffmpeg, chromium, protoc and python3-protobuf"
else
  wanted="python3, make, g++ and libssl-dev (for the mediasoup worker)"
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: $wanted are installed"
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

#!/usr/bin/env bash
# Installs what the build and the tests need from the system, from Debian's
# packages:
#   meson, ninja-build, pkg-config, g++   building mediasoup-worker (packages/mediasoup)
#   libssl-dev                   the OpenSSL 3 the worker links (headers, libssl.so)
#   libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev
#                                the other libraries the worker links from the system
#   catch2                       the worker's C++ tests (mediasoup-worker-test)
#   openssl                      the DTLS certificate of mediasoup's Node test suite, and the
#                                demo's self-signed HTTPS certificate (its Firefox tests use HTTPS)
#   ffmpeg                       ffmpeg/ffprobe: a real RTP sender, recorder and prober
#   chromium                     headless Chromium for the browser end-to-end tests
#   redis-server                 the Redis of the cluster tests (tests/cluster)
#   firefox-esr                  headless Firefox for the browser end-to-end tests (WebDriver BiDi)
#   protobuf-compiler            protoc, for the Python bindings and the other generators' check
#   python3-protobuf             the Python protobuf runtime (cross-language test, x_signaling)
#   python3-websockets           x_signaling's WebSocket client
#   python3-aiortc python3-av    x_signaling.media: WebRTC media in Python (aiortc 1.4, PyAV; numpy comes with them)
#   python3-venv                 the tests install the x_signaling wheel into a fresh venv
#   python3-pip python3-setuptools python3-wheel   building the x_signaling wheel offline
#   golang-go                    the go command, for the Go bindings (bindings/go)
#   protoc-gen-go                generating the Go bindings
#   golang-google-protobuf-dev   their runtime, google.golang.org/protobuf (no Go proxy here)
#   iproute2                     ip: network namespaces and veth pairs, the hosts of the network tests (tests/network)
#   nftables                     nft: NAT, dropped UDP and allowed ports inside those namespaces
#   coturn                       turnserver: the real TURN server of the network tests (the service stays off)
#   prometheus                   a real Prometheus scraping the server command, and promtool (tests/operators; the service stays off)
#
#   bash scripts/system-deps.sh          all of them (pnpm system-deps, test:all)
#   bash scripts/system-deps.sh engine   only the worker build's (run by
#                                        packages/mediasoup at pnpm install)
# Without root or apt-get it fails and names the packages to install.
set -euo pipefail

mode=${1:-all}
missing=()

# The worker's build: its tools, and the libraries meson finds with pkg-config
# (packages/mediasoup/patches/0001). On Debian the packages themselves are
# asked for (dpkg), elsewhere what the build will look for.
engine_packages=(meson ninja-build pkg-config g++ libssl-dev libuv1-dev libsrtp2-dev
  libusrsctp-dev libabsl-dev nlohmann-json3-dev catch2 openssl)
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${engine_packages[@]}"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
  done
else
  command -v meson >/dev/null 2>&1 || missing+=(meson)
  command -v ninja >/dev/null 2>&1 || missing+=(ninja-build)
  command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  has_pc() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"; }
  has_pc 'openssl >= 3.0.0' || missing+=(libssl-dev)
  has_pc 'libuv >= 1.44.0' || missing+=(libuv1-dev)
  has_pc 'libsrtp2 >= 2.5.0' || missing+=(libsrtp2-dev)
  has_pc usrsctp || missing+=(libusrsctp-dev)
  has_pc absl_flat_hash_map || missing+=(libabsl-dev)
  has_pc 'nlohmann_json >= 3.10.5' || missing+=(nlohmann-json3-dev)
  has_pc catch2 || missing+=(catch2)
fi

if [ "$mode" = all ]; then
  py=/usr/bin/python3
  has_py() { [ -x "$py" ] && "$py" -c "$1" >/dev/null 2>&1; }
  command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
  command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
  has_py 'import google.protobuf' || missing+=(python3-protobuf)
  has_py 'import websockets' || missing+=(python3-websockets)
  has_py 'import aiortc' || missing+=(python3-aiortc)
  has_py 'import av' || missing+=(python3-av)
  has_py 'import ensurepip, venv' || missing+=(python3-venv)
  [ -x "$py" ] && "$py" -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
  has_py 'import setuptools' || missing+=(python3-setuptools)
  has_py 'import wheel' || missing+=(python3-wheel)
  command -v go >/dev/null 2>&1 || missing+=(golang-go)
  command -v protoc-gen-go >/dev/null 2>&1 || missing+=(protoc-gen-go)
  [ -f /usr/share/gocode/src/google.golang.org/protobuf/go.mod ] || missing+=(golang-google-protobuf-dev)
  # ip and nft live in /usr/sbin, which a non-root PATH may leave out.
  has_sbin() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
  has_sbin ip || missing+=(iproute2)
  has_sbin nft || missing+=(nftables)
  has_sbin tcpdump || missing+=(tcpdump)
  command -v turnserver >/dev/null 2>&1 || missing+=(coturn)
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  wanted="the worker's build tools and libraries (meson, ninja-build, g++, libssl-dev, libuv1-dev, libsrtp2-dev, libusrsctp-dev, libabsl-dev, nlohmann-json3-dev, catch2), ffmpeg, chromium, firefox-esr, openssl, redis-server, protoc, Python (protobuf, websockets, aiortc, av, venv, pip, setuptools, wheel), Go (protoc-gen-go, google.golang.org/protobuf), iproute2, nftables, tcpdump, coturn and prometheus"
else
  wanted="${engine_packages[*]} (the mediasoup worker's build and tests)"
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
  # coturn's package starts its service (port 3478 on every address) where
  # systemd runs; the tests start turnservers of their own, so stop it and
  # keep it from starting at boot. (Without systemd the package's init
  # script starts nothing unless /etc/default/coturn enables it.)
  if [[ " ${missing[*]} " == *" coturn "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --now coturn.service >/dev/null 2>&1 || true
  fi
  # The same for Prometheus (port 9090) and its node exporter: the tests run their own.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus.service prometheus-node-exporter.service >/dev/null 2>&1 || true
  fi
  echo "system-deps: installed ${missing[*]}"
else
  echo "system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "system-deps: install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

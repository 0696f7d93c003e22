#!/usr/bin/env bash
# Runs the go command on this module offline, against Debian's
# google.golang.org/protobuf (see vendor-debian.sh). Usage: scripts/go.sh test ./...
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v go >/dev/null 2>&1; then
  echo "go.sh: the go command is not installed: install the Debian package golang-go (pnpm system-deps does)" >&2
  exit 1
fi
bash "$here/scripts/vendor-debian.sh"
cd "$here"
export GOFLAGS=-mod=vendor GOPROXY=off GOWORK=off GOTOOLCHAIN=local
exec go "$@"

#!/usr/bin/env bash
# Generates the Python bindings of the signaling schema with protoc
# (Debian: protobuf-compiler; runtime: python3-protobuf).
# Usage: protocol/scripts/generate-python.sh [OUT_DIR]   (default protocol/gen/python)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/gen/python}"
if ! command -v protoc >/dev/null 2>&1; then
  echo "generate-python: protoc not found: install the Debian package protobuf-compiler" >&2
  exit 1
fi
mkdir -p "$out"
protoc -I "$root" --python_out="$out" --pyi_out="$out" "$root"/x/signaling/v1/*.proto
echo "generate-python: wrote Python bindings to $out (import x.signaling.v1.signaling_pb2)"

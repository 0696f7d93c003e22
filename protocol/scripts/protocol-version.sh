#!/usr/bin/env bash
# Prints the protocol version constants of packages/protocol/src/version.ts,
# the one place they are written, as shell assignments:
#   PROTOCOL_VERSION=1
#   MIN_PROTOCOL_VERSION=1
# The Python and Go bindings take them from here at build time.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source_file="$root/packages/protocol/src/version.ts"
for name in PROTOCOL_VERSION MIN_PROTOCOL_VERSION; do
  value=$(sed -nE "s/^export const $name = ([0-9]+);$/\\1/p" "$source_file")
  if ! [[ "$value" =~ ^[0-9]+$ ]]; then
    echo "protocol-version: no 'export const $name = <integer>;' line in $source_file" >&2
    exit 1
  fi
  echo "$name=$value"
done

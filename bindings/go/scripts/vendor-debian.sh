#!/usr/bin/env bash
# No Go module proxy is reachable from this project's machines, so the module
# is built against Debian's copy of google.golang.org/protobuf
# (golang-google-protobuf-dev, in /usr/share/gocode): this writes vendor/ with
# a link to it and the vendor/modules.txt the go command checks against
# go.mod. vendor/ is generated, never committed; on a machine that reaches
# proxy.golang.org, plain `go build` without vendor/ uses go.mod and go.sum.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src=/usr/share/gocode/src/google.golang.org/protobuf
version_file="$src/internal/version/version.go"

if [ ! -f "$version_file" ]; then
  echo "vendor-debian: $src not found: install the Debian package golang-google-protobuf-dev (pnpm system-deps does)" >&2
  exit 1
fi
want=$(sed -nE 's|^require google.golang.org/protobuf (v[0-9.]+)$|\1|p' "$here/go.mod")
part() { sed -nE "s/^\s+$1\s+= ([0-9]+)$/\1/p" "$version_file"; }
have="v$(part Major).$(part Minor).$(part Patch)"
if [ -z "$want" ] || [ "$have" != "$want" ]; then
  echo "vendor-debian: go.mod requires google.golang.org/protobuf ${want:-(none)}, Debian's golang-google-protobuf-dev is $have" >&2
  exit 1
fi
go_directive=$(sed -nE 's/^go ([0-9.]+)$/\1/p' "$src/go.mod")

modules_txt() {
  echo "# google.golang.org/protobuf $want"
  echo "## explicit; go $go_directive"
  (cd "$src/../.." && find google.golang.org/protobuf -name '*.go' ! -name '*_test.go' \
    ! -path '*/testdata/*' -printf '%h\n' | LC_ALL=C sort -u)
}

vendor="$here/vendor"
expected=$(modules_txt)
if [ -L "$vendor/google.golang.org/protobuf" ] && [ "$(cat "$vendor/modules.txt" 2>/dev/null)" = "$expected" ]; then
  exit 0
fi
# Written aside and moved in place, so that concurrent runs never see half a folder.
tmp=$(mktemp -d "$here/.vendor.XXXXXX")
mkdir -p "$tmp/google.golang.org"
ln -s "$src" "$tmp/google.golang.org/protobuf"
printf '%s\n' "$expected" >"$tmp/modules.txt"
rm -rf "$vendor"
mv -T "$tmp" "$vendor" 2>/dev/null || rm -rf "$tmp"
echo "vendor-debian: vendor/ links Debian's google.golang.org/protobuf $have"

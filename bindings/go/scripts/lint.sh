#!/usr/bin/env bash
# gofmt (the hand-written and the generated files) and go vet.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
unformatted=$(gofmt -l x internal)
if [ -n "$unformatted" ]; then
  echo "lint: not gofmt-formatted (run gofmt -w): $unformatted" >&2
  exit 1
fi
bash scripts/go.sh vet ./...

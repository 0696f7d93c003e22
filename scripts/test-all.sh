#!/usr/bin/env bash
# Every check and every test, in the order CI needs them. Run through
# `pnpm test:all` (the README's test command) after `pnpm install`.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

bash scripts/system-deps.sh
pnpm exec turbo run build
# The API reference (TypeDoc): a warning (undocumented or unexported public
# API, broken link) fails it.
pnpm run docs
pnpm lint
pnpm typecheck
pnpm test

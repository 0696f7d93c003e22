#!/usr/bin/env bash
# Every check and every test, in the order CI needs them. Run through
# `pnpm test:all` (the README's test command) after `pnpm install`.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

bash scripts/system-deps.sh
pnpm exec turbo run build
pnpm lint
pnpm typecheck
pnpm test

#!/usr/bin/env bash
# The Python sources compile (syntax) with Debian's python3; no Python linter
# is installed offline, so style is left to review.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
/usr/bin/python3 - "$here" <<'PY'
import pathlib, sys
root = pathlib.Path(sys.argv[1])
files = [p for d in ("src", "examples", "tests") for p in (root / d).rglob("*.py") if "/v1/" not in str(p)]
for path in files:
    compile(path.read_text(encoding="utf-8"), str(path), "exec")
print(f"lint: {len(files)} Python files compile")
PY

#!/usr/bin/env bash
# Create a separate virtualenv holding the pinned Checkov used by bench_checkov.py.
#
# Usage: benchmarks/setup_checkov.sh [VENV_DIR]    (default: benchmarks/work/checkov-venv, or $CHECKOV_VENV)
# Checkov's dependency pins clash with the project's, so it never shares the project's environment.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${1:-${CHECKOV_VENV:-$here/work/checkov-venv}}"
python="${PYTHON:-python3}"

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"
"$venv/bin/checkov" --version
echo "checkov installed in $venv; run: python benchmarks/bench_checkov.py --checkov $venv/bin/checkov"

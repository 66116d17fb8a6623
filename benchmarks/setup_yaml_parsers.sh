#!/usr/bin/env bash
# Create a separate virtualenv holding the pinned YAML parsers bench_yaml.py measures.
#
# Usage: benchmarks/setup_yaml_parsers.sh [VENV_DIR]   (default: benchmarks/work/yaml-parsers-venv)
# They are measured, never used by policy-checker, so they stay out of the project's environment.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${1:-$here/work/yaml-parsers-venv}"
python="${PYTHON:-python3}"

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$here/requirements-yaml.txt"
echo "YAML parsers installed in $venv; run: python benchmarks/bench_yaml.py --parsers-python $venv/bin/python"

#!/usr/bin/env python3
"""The two commands of the README, runnable on a fresh machine with only Python 3.11+.

    python3 tasks.py demo   # check the bundled examples and write out/report.html
    python3 tasks.py test   # run the whole test suite (browser tests included)

Both create ``.venv`` on first use and install the package with its test extras into it.
The browser tests need Debian's ``chromium`` package; ``test`` installs it with apt-get when
run as root on Debian, and otherwise stops with the command to run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
CHROMIUM = Path("/usr/bin/chromium")


def ensure_venv() -> None:
    stamp = VENV / ".installed"
    if stamp.exists() and stamp.stat().st_mtime >= (ROOT / "pyproject.toml").stat().st_mtime:
        return
    if not (BIN / "python").exists():
        print("creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    subprocess.run(
        [BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True
    )
    subprocess.run(
        [BIN / "python", "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True
    )
    stamp.touch()


def ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("installing Debian's chromium for the browser tests", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
        return
    sys.exit("The browser tests need Chromium at /usr/bin/chromium: sudo apt-get install chromium")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test"):
        print(__doc__)
        return 2
    ensure_venv()
    if argv[0] == "demo":
        # The project config (policy-check.yaml) names the bundled policy, the violating
        # example snapshot and its waivers, and asks for out/report.html.
        command = [BIN / "policy-check", "check", "--generated-at", "now", *argv[1:]]
        code = subprocess.run(command, cwd=ROOT).returncode
        print(
            f"\nHTML report: {ROOT / 'out' / 'report.html'} (exit code {code}: the bundled "
            "example breaks its policy on purpose)"
        )
        return 0 if code in (0, 1) else code
    ensure_chromium()
    return subprocess.run([BIN / "python", "-m", "pytest", *argv[1:]], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""The README's commands, runnable on a fresh machine with only Python 3.11+.

    python3 tasks.py demo   # check the bundled examples and write out/report.html
    python3 tasks.py test   # run the whole test suite (browser tests included)

Both create ``.venv`` on first use and install into it exactly the versions pinned, with
their hashes, in ``requirements/lock.txt``; a new release of a dependency changes nothing
until the lock is refreshed deliberately:

    python3 tasks.py lock   # re-resolve the newest versions into requirements/lock.txt

Other environments, each in a virtual environment of its own (``.venv-<deps>-<python>``):

    python3 tasks.py test --python 3.13          # the locked versions on another Python
    python3 tasks.py test --deps lowest          # the lowest versions pyproject.toml allows
    python3 tasks.py test --deps newest          # whatever PyPI has today (not locked)
    python3 tasks.py ci                          # what .ci/run runs: locked on 3.11-3.13, lowest,
                                                 # and every check module >= 90% covered

The browser tests need Debian's ``chromium`` package; ``test`` installs it with apt-get when
run as root on Debian, and otherwise stops with the command to run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
LOCK = ROOT / "requirements" / "lock.txt"
LOWEST = ROOT / "requirements" / "lowest.txt"
BUILD_IN = ROOT / "requirements" / "build.in"
CHROMIUM = Path("/usr/bin/chromium")
UV = "uv==0.13.9"  # the resolver that writes the lock; pinned so a refresh is repeatable
PYTHONS = ("3.11", "3.12", "3.13")  # every supported Python, tested by `ci`
DEPS = ("locked", "lowest", "newest")


def bin_dir(env: Path) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin")


def find_python(version: str | None) -> str:
    """An interpreter for ``version`` ("3.12"), or this one when None.

    Tries ``python3.12`` on the PATH, then pyenv's installs, since a pyenv shim answers for a
    version only when that version is selected."""
    if version is None or version == f"{sys.version_info[0]}.{sys.version_info[1]}":
        return sys.executable
    candidates = [f"python{version}"]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    installs = Path(pyenv_root, "versions").glob(f"{version}.*/bin/python{version}")
    candidates += sorted(str(path) for path in installs)
    for candidate in candidates:
        found = shutil.which(candidate) or (candidate if Path(candidate).exists() else None)
        if found and _runs(found):
            return found
    sys.exit(f"Python {version} was not found (tried {', '.join(candidates)})")


def _runs(python: str) -> bool:
    probe = subprocess.run([python, "-c", "pass"], capture_output=True, check=False)
    return probe.returncode == 0


def python_version(python: str) -> str:
    out = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def env_path(python: str, deps: str) -> Path:
    """``.venv`` for the README's commands (locked, this Python); one folder per other pair."""
    if deps == "locked" and python == sys.executable:
        return ROOT / ".venv"
    return ROOT / f".venv-{deps}-py{python_version(python)}"


def _fingerprint(python: str, deps: str) -> str:
    """What an environment was installed from: a change to any of it reinstalls."""
    digest = hashlib.sha256(f"{python_version(python)} {deps}\n".encode())
    for path in (ROOT / "pyproject.toml", LOCK, LOWEST):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_env(python: str = sys.executable, deps: str = "locked") -> Path:
    """Create (or refresh) the environment and install the package into it, editable."""
    env = env_path(python, deps)
    stamp = env / ".installed"
    fingerprint = _fingerprint(python, deps)
    if stamp.exists() and stamp.read_text(encoding="utf-8") == fingerprint:
        return env
    print(f"installing {deps} dependencies into {env.name}", flush=True)
    if python == sys.executable:
        venv.EnvBuilder(with_pip=True, clear=True).create(env)
    else:
        subprocess.run([python, "-m", "venv", "--clear", str(env)], check=True)
    pip = [str(bin_dir(env) / "python"), "-m", "pip", "install", "--quiet"]
    if deps == "locked":
        subprocess.run([*pip, "--require-hashes", "--no-deps", "-r", str(LOCK)], check=True)
        # The build backend came from the lock too, so build without fetching another one.
        subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    elif deps == "lowest":
        # The test tools as locked, the package's own dependencies at their lower bounds
        # (tests/test_tooling.py holds lowest.txt to the bounds pyproject.toml declares).
        lowest = _pins(LOWEST)
        kept = [pin for name, pin in _pins(LOCK).items() if name not in lowest]
        subprocess.run([*pip, "--no-deps", *kept, *lowest.values()], check=True)
        subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    else:
        subprocess.run([*pip, "--upgrade", "-e", f"{ROOT}[test]"], check=True)
    stamp.write_text(fingerprint, encoding="utf-8")
    return env


_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(;[^\\]*)?")


def _pins(path: Path) -> dict[str, str]:
    """``name -> "name==version ; marker"`` for every pin of a requirements file."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            name = re.sub(r"[-_.]+", "-", match[1]).lower()
            marker = (match[3] or "").strip()
            pins[name] = f"{match[1]}=={match[2]}" + (f" {marker}" if marker else "")
    return pins


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


def demo(extra: list[str]) -> int:
    env = ensure_env()
    # The project config (policy-check.yaml) names the bundled policy, the violating
    # example snapshot and its waivers, and asks for out/report.html.
    command = [bin_dir(env) / "policy-check", "check", "--generated-at", "now", *extra]
    code = subprocess.run(command, cwd=ROOT, check=False).returncode
    print(
        f"\nHTML report: {ROOT / 'out' / 'report.html'} (exit code {code}: the bundled "
        "example breaks its policy on purpose)"
    )
    return 0 if code in (0, 1) else code


def test(python: str, deps: str, extra: list[str]) -> int:
    env = ensure_env(python, deps)
    ensure_chromium()
    print(f"running the tests: {env.name}, {deps} dependencies", flush=True)
    command = [bin_dir(env) / "python", "-m", "pytest", *extra]
    return subprocess.run(command, cwd=ROOT, check=False).returncode


CHECKS_FLOOR = 90  # per cent of branches and lines of every check module, by its own tests


def check_coverage() -> int:
    """Every module of ``checker/checks`` covered to at least :data:`CHECKS_FLOOR` per cent by
    its own tests: ``tests/checks`` (one module per check) and the registry's."""
    env = ensure_env()
    report = ROOT / ".coverage-checks.json"
    command = [
        bin_dir(env) / "python",
        "-m",
        "pytest",
        "-q",
        "tests/checks",
        "tests/test_clause_sections.py",  # the registry and the schema generator
        "--cov=checker/checks",
        "--cov-branch",
        "--cov-fail-under=0",
        f"--cov-report=json:{report}",
    ]
    if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
        return 1
    files = json.loads(report.read_text(encoding="utf-8"))["files"]
    report.unlink()
    low = {
        name: data["summary"]["percent_covered"]
        for name, data in sorted(files.items())
        if data["summary"]["percent_covered"] < CHECKS_FLOOR
    }
    for name, percent in low.items():
        print(f"{name}: {percent:.1f}% covered by tests/checks, under {CHECKS_FLOOR}%")
    print(f"check modules: {len(files) - len(low)} of {len(files)} at {CHECKS_FLOOR}% or more")
    return 1 if low else 0


def ci() -> int:
    """The locked versions on every supported Python, the lowest allowed versions, and the
    coverage floor of the check modules."""
    runs = [(find_python(v), "locked") for v in PYTHONS] + [(find_python("3.11"), "lowest")]
    failed = []
    for python, deps in runs:
        label = f"Python {python_version(python)}, {deps}"
        if test(python, deps, ["-q"]) != 0:
            failed.append(label)
    if check_coverage() != 0:
        failed.append(f"coverage of checker/checks under {CHECKS_FLOOR}%")
    if failed:
        print(f"failed: {'; '.join(failed)}", file=sys.stderr)
        return 1
    print(f"passed: {len(runs)} environments", flush=True)
    return 0


def lock() -> int:
    """Re-resolve requirements/lock.txt to the newest releases, with hashes, for 3.11+."""
    env = ensure_env()
    subprocess.run([bin_dir(env) / "python", "-m", "pip", "install", "--quiet", UV], check=True)
    command = [
        bin_dir(env) / "uv",
        "pip",
        "compile",
        "pyproject.toml",
        str(BUILD_IN.relative_to(ROOT)),
        "--extra",
        "test",
        "--extra",
        "dask",  # `check --executor dask` is tested too
        "--universal",
        "--python-version",
        "3.11",
        "--generate-hashes",
        "--upgrade",
        "--custom-compile-command",
        "python3 tasks.py lock",
        "--output-file",
        str(LOCK.relative_to(ROOT)),
    ]
    code = subprocess.run(command, cwd=ROOT, check=False).returncode
    if code == 0:
        print(f"wrote {LOCK.relative_to(ROOT)}; run `python3 tasks.py ci`, then commit it")
    return code


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tasks.py", description=__doc__.split("\n")[0])
    parser.add_argument("task", choices=["demo", "test", "ci", "lock"])
    parser.add_argument("--python", help="a Python version such as 3.13 (default: this one)")
    parser.add_argument("--deps", choices=DEPS, default="locked")
    if not argv or argv[0] not in ("demo", "test", "ci", "lock"):
        print(__doc__)
        return 2
    args, extra = parser.parse_known_args(argv)
    if args.task == "demo":
        return demo(extra)
    if args.task == "lock":
        return lock()
    if args.task == "ci":
        return ci()
    return test(find_python(args.python), args.deps, extra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

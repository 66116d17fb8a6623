"""``policy-check init [FOLDER]``: a starter project a new user can run at once.

Writes ``policy-check.yaml``, a policy and a snapshot taken from the bundled examples (so they
are found in an installed wheel, not only in a checkout), and says what to run next. Nothing is
overwritten: if any of the files exists, nothing is written and the command says which.

Editors: each file written ends with a ``yaml-language-server`` modeline pointing at its JSON
Schema, which ``init`` writes too, into ``.schemas/``: completion and checks as you type, with
no network and the schemas of the version that wrote the project.
"""

from __future__ import annotations

import argparse
import re
from importlib import resources
from pathlib import Path
from typing import NoReturn, TextIO

from checker.core.diagnostics import Diagnostic, Location
from checker.core.errors import UnusableInputs

CONFIG = """\
# What `policy-check check` runs in this folder (paths are relative to this file).
# Edit policy.yaml to state your promises and snapshot.yaml to describe your system, or import
# the system's real configuration (docs: adapters/README.md).
policy_check: 1
policies:
  - policy.yaml
snapshots:
  - snapshot.yaml
outputs:
  - {format: html, path: out/report.html}
# yaml-language-server: $schema=.schemas/config.schema.json
"""

# The bundled example each starter file is copied from.
STARTERS = {
    "policy.yaml": ("library", "anthropic-consumer-2025.yaml"),
    "snapshot.yaml": ("examples", "compliant", "snapshot.yaml"),
}


# The schema each starter file is written against, copied into the project for editors.
SCHEMAS = {"policy.yaml": "policy", "snapshot.yaml": "snapshot", "policy-check.yaml": "config"}
SCHEMA_FOLDER = ".schemas"
_MODELINE = re.compile(r"^# yaml-language-server: \$schema=.*$", re.MULTILINE)


def files() -> dict[str, str]:
    """The starter project: file name to text."""
    bundled = resources.files("policies")
    written = {"policy-check.yaml": CONFIG}
    for name, parts in STARTERS.items():
        text = bundled.joinpath(*parts).read_text(encoding="utf-8")
        if SCHEMAS[name] == "policy":  # a new project starts at the current language version
            text = _current(text, name)
        # The bundled file points at the package's schemas; the copy at the project's.
        modeline = f"# yaml-language-server: $schema={SCHEMA_FOLDER}/{SCHEMAS[name]}.schema.json"
        written[name] = _MODELINE.sub(modeline, text)  # no backslash in it: taken literally
    for kind in sorted(set(SCHEMAS.values())):
        schema = bundled.joinpath("schemas", f"{kind}.schema.json").read_text(encoding="utf-8")
        written[f"{SCHEMA_FOLDER}/{kind}.schema.json"] = schema
    return written


def _current(text: str, name: str) -> str:
    """A bundled policy moved to the current language, as ``policy-check upgrade`` does."""
    from checker.documents import load_bytes
    from checker.upgrade import State, upgrade

    raw = text.encode("utf-8")
    upgraded = upgrade(load_bytes(raw, name), raw)
    if upgraded.state is State.INVALID:  # the bundled library is tested: never expected
        raise ValueError(f"the bundled {name} cannot be upgraded: {upgraded.diagnostics}")
    return upgraded.new or text


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    folder = Path(args.folder)
    if folder.exists() and not folder.is_dir():
        _refuse(
            folder,
            "is a file, not a folder: init writes a project into a folder; "
            "name a new or empty folder",
        )
    project = files()
    taken = [name for name in project if (folder / name).exists()]
    if taken:
        raise UnusableInputs(
            [
                Diagnostic(
                    Location(str(folder / name), None),
                    "already exists; init writes nothing over existing files: start in an "
                    "empty folder, or move it away",
                    "init-exists",
                )
                for name in taken
            ]
        )
    try:
        (folder / SCHEMA_FOLDER).mkdir(parents=True, exist_ok=True)
        for name, text in project.items():
            (folder / name).write_text(text, encoding="utf-8")
            out.write(f"wrote {folder / name}\n")
    except OSError as exc:  # a read-only place, a file in the way, a full disk
        _refuse(folder, f"cannot write the project: {exc.strerror or exc}")
    where = "" if folder == Path() else f"cd {folder} && "
    out.write(
        f"next: {where}policy-check check   # checks policy.yaml against snapshot.yaml and "
        "writes out/report.html\n"
    )
    return 0


def _refuse(folder: Path, why: str) -> NoReturn:
    raise UnusableInputs([Diagnostic(Location(str(folder), None), why, "init-cannot-write")])

"""Writing reports to files: several formats from one run.

Every output is checked before any work starts: its format must exist, and its path must be
neither one of the run's inputs nor another output's (compared as files, so ``./r.json``, an
absolute path and a symlink to it are the same file).
"""

from __future__ import annotations

import errno
import functools
import os
import signal
import stat
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from checker.core.diagnostics import Diagnostic, Location
from checker.core.errors import UsageError
from checker.core.pools import exit_on_signal, helping, may_help, stops_held
from checker.core.results import Result
from checker.documents.inputs import file_key
from reports import REPORTERS, Redacted, get_reporter
from reports.base import is_validation


@dataclass(frozen=True, slots=True)
class Target:
    """A report to write: its format, where it goes on disk, how the user wrote that path
    (``name``), and the config entry that asked for it (``origin``; ``None`` for --output)."""

    format: str
    path: str
    name: str = ""
    origin: Location | None = None

    @property
    def label(self) -> str:
        """How messages name this output: the config entry's value, or the option as given."""
        if self.origin is not None:
            return f"output '{self.name or self.path}'"
        return f"--output {self.format}={self.name or self.path}"

    @property
    def where(self) -> Location:
        return self.origin if self.origin is not None else Location(self.label, None)


def unknown_format(fmt: str) -> str:
    return f"unknown output format {fmt!r}; choose from {', '.join(sorted(REPORTERS))}"


def parse_output(spec: str) -> Target:
    """``FORMAT=PATH`` from the command line, or a ``PATH`` whose extension only one format
    writes (``report.html``); a :class:`ValueError` says what is wrong."""
    fmt, sep, path = spec.partition("=")
    if not sep:
        return _by_extension(spec)
    if not path:
        raise ValueError(f"expects FORMAT=PATH (e.g. html=report.html), got {spec!r}")
    if fmt not in REPORTERS:
        raise ValueError(f"{unknown_format(fmt)} (in {spec!r})")
    return Target(fmt, path, path)


def _by_extension(path: str) -> Target:
    """The target of a bare path, when its extension says the format."""
    shape = f"expects FORMAT=PATH (e.g. html=report.html), got {path!r}"
    suffix = Path(path).suffix.lower()
    writers = sorted(name for name, reporter in REPORTERS.items() if reporter.extension == suffix)
    if len(writers) == 1:
        return Target(writers[0], path, path)
    if writers:
        raise ValueError(
            f"{shape}; a {suffix} file is written by {' or '.join(writers)}: name one, "
            f"e.g. {writers[-1]}={path}"
        )
    raise ValueError(shape)


def output_problems(
    targets: Sequence[Target], inputs: Iterable[tuple[str, str, str]], *, duplicates: bool = True
) -> list[Diagnostic]:
    """Outputs that would overwrite an input, a folder, or another output.

    ``inputs`` are ``(kind, name, path on disk)``, e.g. ``("snapshot", "s.yaml", "/w/s.yaml")``.
    """
    problems: list[Diagnostic] = []
    if not targets:
        return problems
    by_key: dict[str, tuple[str, str]] = {}
    files: list[tuple[str, str, str]] = []
    for kind, name, path in inputs:
        by_key.setdefault(file_key(path), (kind, name))
        files.append((kind, name, path))
    inodes: dict[tuple[int, int], tuple[str, str]] | None = None
    seen: dict[str, Target] = {}
    for target in targets:
        if "\0" in target.path:  # no file system takes it: refuse it before any work
            problems.append(_problem(target, f"{target.label} contains a NUL character"))
            continue
        if target.path == "-":  # the usual spelling of standard output, not a file name
            problems.append(
                _problem(
                    target,
                    f"{target.label} would write a file named '-'; for standard output use "
                    f"--format {target.format}",
                )
            )
            continue
        if target.format in REPORTERS and (missing := REPORTERS[target.format].unavailable()):
            problems.append(_problem(target, missing))
            continue
        key = file_key(target.path)
        hit = by_key.get(key)
        stat = _stat(target.path)
        if hit is None and stat is not None:  # a hard link, or a case-insensitive file system
            if inodes is None:
                inodes = {}
                for kind, name, path in files:
                    found = _stat(path)
                    if found is not None:
                        inodes.setdefault(found, (kind, name))
            hit = inodes.get(stat)
        if hit is not None:
            kind, name = hit
            message = f"{target.label} would overwrite the {kind} {name}"
            problems.append(_problem(target, message + "; write the report somewhere else"))
        elif Path(target.path).is_dir():
            example = f"{target.name or target.path}/report{REPORTERS[target.format].extension}"
            message = f"{target.label} is a folder; give a file name, e.g. {example}"
            problems.append(_problem(target, message))
        elif (blocker := _file_in_the_way(Path(target.path))) is not None:
            message = f"{target.label} cannot be written: {blocker} is a file, not a folder"
            problems.append(_problem(target, message))
        elif duplicates and key in seen:
            message = (
                f"{target.label} writes to the same file as {seen[key].label}; "
                "give each report its own path"
            )
            problems.append(_problem(target, message))
        seen.setdefault(key, target)
    return problems


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest folder of ``path`` that exists, when it is not a folder (a file where a
    folder would have to be made)."""
    for folder in path.parents:
        try:
            if folder.exists():
                return None if folder.is_dir() else folder
        except (OSError, ValueError):
            return None
    return None


def _problem(target: Target, message: str) -> Diagnostic:
    return Diagnostic(target.where, message, "output-path")


def _stat(path: str) -> tuple[int, int] | None:
    try:
        info = Path(path).stat()
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def render(
    result: Result | Redacted,
    stream: TextIO | None = None,
    fmt: str | None = None,
    targets: Iterable[Target] = (),
    *,
    color: bool = False,
) -> None:
    """The one way every command renders a result: in ``fmt`` on ``stream`` (when given),
    then in each target. The result is redacted once, before any reporter sees it."""
    targets = list(targets)
    formats = [t.format for t in targets] + ([fmt] if stream is not None and fmt else [])
    _refuse_formats_without_validation(result, formats)  # before anything is written
    redacted = Redacted.of(result)
    if stream is None or fmt is None:
        write_outputs(redacted, targets)
        return
    if not _files_apart(redacted, targets):
        get_reporter(fmt).render(redacted, stream, color=color)
        write_outputs(redacted, targets)
        return
    with helping(functools.partial(_write_stoppably, redacted, targets)) as files:
        get_reporter(fmt).render(redacted, stream, color=color)
        files.receive()  # what writing the files raised, raised here


# Rows (findings, and passes named) from which a run's report files are written by a process
# of their own while standard output is written here: two cores instead of one for the last
# step of a large run. A smaller one is written here alone, which costs less than a fork.
FILES_APART_FROM = 20_000


def _files_apart(redacted: Redacted, targets: Sequence[Target]) -> bool:
    """Whether ``targets`` are written by a process forked to write them (as
    :func:`write_outputs`, in order, stopping at the first that fails) while this process
    writes standard output. Not for a small result, no file, a file that is not a regular one
    (a device such as ``/dev/stdout`` must get its bytes after standard output's), a format
    that builds the whole report in memory (``Reporter.builds_whole``: 1,000,000 stores' SARIF
    took the run from 1.33 to 1.57 GB written apart), or where forking is not safe or the run
    keeps to one process."""
    if not targets or not may_help():
        return False
    result = redacted.result
    rows = len(result.findings) + sum(p.count for p in result.pass_counts if p.resources)
    if rows < FILES_APART_FROM or any(_special(Path(t.path)) for t in targets):
        return False
    return not any(t.format in REPORTERS and REPORTERS[t.format].builds_whole for t in targets)


def _write_stoppably(redacted: Redacted, targets: Sequence[Target]) -> None:
    """In the writer: :func:`write_outputs`. Stopped by the run (SIGTERM), it ends as the run
    would, removing the file it was writing."""
    signal.signal(signal.SIGTERM, exit_on_signal)
    write_outputs(redacted, targets)


def _refuse_formats_without_validation(result: Result | Redacted, formats: list[str]) -> None:
    """A validation's results (saved, then given to ``policy-check report``) in a format that
    only reports checks: a :class:`UsageError` naming the formats that render them."""
    plain = result.result if isinstance(result, Redacted) else result
    if not is_validation(plain):
        return
    refused = [f for f in formats if f in REPORTERS and not REPORTERS[f].renders_validation]
    if refused:
        allowed = [name for name, reporter in REPORTERS.items() if reporter.renders_validation]
        raise UsageError(
            f"validation results render as {', '.join(allowed[:-1])} or {allowed[-1]}, not "
            f"{refused[0]}: the {refused[0]} report is a compliance report of check results"
        )


def write_outputs(result: Result | Redacted, targets: Iterable[Target]) -> None:
    """Render ``result`` in each target (redacted once for all); files are replaced
    atomically."""
    redacted = Redacted.of(result)
    for target in targets:
        if target.format not in REPORTERS:
            raise UsageError(unknown_format(target.format))
        reporter = get_reporter(target.format)
        write_file(target, functools.partial(reporter.render, redacted, color=False))


def _special(path: Path) -> bool:
    """Whether ``path`` is a file that is neither a regular file nor a folder: a device
    (``/dev/null``, ``/dev/stdout``), a named pipe, a socket."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_file(target: Target, write: Callable[[TextIO], None]) -> None:
    """Write one report file with ``write``: the file is replaced atomically, readable as
    the umask allows, and a failure is a :class:`UsageError` naming the output. A special
    file (``/dev/null``, ``/dev/stdout``, a named pipe) is written through, never replaced:
    replacing it would give a reader nothing and, as root, swap ``/dev/null`` for a file."""
    destination = Path(target.path)
    try:
        if _special(destination):
            with destination.open("w", encoding="utf-8", newline="\n") as stream:
                write(stream)
            return
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a file where a folder would be (made since it was checked)
            blocker = _file_in_the_way(destination) or destination.parent
            raise NotADirectoryError(errno.ENOTDIR, f"{blocker} is a file, not a folder") from None
        tmp = None
        try:
            # A stop that came after the file was made but before its name was known would
            # leave it behind: held back until then, it is taken here, where the file goes.
            with stops_held():
                fd, tmp = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
                write(stream)
            Path(tmp).chmod(0o666 & ~_umask())  # mkstemp makes 0600; reports are for sharing
            Path(tmp).replace(destination)
        except BaseException:  # a failed or interrupted report leaves no half-written file
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        name = target.name or target.path
        raise UsageError(
            f"cannot write {target.format} report to {name}: {exc.strerror or exc}"
        ) from exc

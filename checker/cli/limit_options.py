"""Command-line options that override the loader's safety limits."""

from __future__ import annotations

import argparse
import dataclasses

from checker.documents import DEFAULT_LIMITS, Limits

# option -> Limits field
_OPTIONS = {
    "max_file_size": "max_bytes",
    "max_yaml_size": "max_yaml_bytes",
    "max_depth": "max_depth",
    "max_alias_nodes": "max_alias_nodes",
    "stream_from": "stream_from",
}


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def not_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def add_limit_options(parser: argparse.ArgumentParser, *, streaming: bool = False) -> None:
    """The limit options; ``streaming`` adds ``--stream-from`` (for commands that check
    snapshots)."""
    group = parser.add_argument_group("input limits")
    defaults = DEFAULT_LIMITS
    group.add_argument(
        "--max-file-size",
        type=positive,
        metavar="BYTES",
        help=f"largest JSON file read (default {defaults.max_bytes})",
    )
    group.add_argument(
        "--max-yaml-size",
        type=positive,
        metavar="BYTES",
        help=f"largest YAML file read (default {defaults.max_yaml_bytes})",
    )
    group.add_argument(
        "--max-depth",
        type=positive,
        metavar="N",
        help=f"deepest nesting accepted (default {defaults.max_depth})",
    )
    group.add_argument(
        "--max-alias-nodes",
        type=positive,
        metavar="N",
        help=f"most YAML nodes after alias expansion (default {defaults.max_alias_nodes})",
    )
    if streaming:
        group.add_argument(
            "--stream-from",
            type=not_negative,
            metavar="BYTES",
            help=(
                "read a JSON snapshot of at least this size a block of stores at a time, in "
                f"bounded memory; the results are the same (default {defaults.stream_from}; "
                "0: every JSON snapshot)"
            ),
        )


def limits_from_args(args: argparse.Namespace) -> Limits:
    changes = {
        field: getattr(args, option)
        for option, field in _OPTIONS.items()
        if getattr(args, option, None) is not None
    }
    return dataclasses.replace(DEFAULT_LIMITS, **changes) if changes else DEFAULT_LIMITS

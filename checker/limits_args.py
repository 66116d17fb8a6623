"""Command-line options that override the loader's safety limits."""

from __future__ import annotations

import argparse
import dataclasses

from checker.loader import DEFAULT_LIMITS, Limits


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input limits")
    group.add_argument(
        "--max-file-size",
        type=int,
        metavar="BYTES",
        help=f"largest JSON file read (default {DEFAULT_LIMITS.max_bytes})",
    )
    group.add_argument(
        "--max-yaml-size",
        type=int,
        metavar="BYTES",
        help=f"largest YAML file read (default {DEFAULT_LIMITS.max_yaml_bytes})",
    )
    group.add_argument(
        "--max-depth",
        type=int,
        metavar="N",
        help=f"deepest nesting accepted (default {DEFAULT_LIMITS.max_depth})",
    )


def limits_from_args(args: argparse.Namespace) -> Limits:
    changes = {}
    if getattr(args, "max_file_size", None) is not None:
        changes["max_bytes"] = args.max_file_size
    if getattr(args, "max_yaml_size", None) is not None:
        changes["max_yaml_bytes"] = args.max_yaml_size
    if getattr(args, "max_depth", None) is not None:
        changes["max_depth"] = args.max_depth
    return dataclasses.replace(DEFAULT_LIMITS, **changes) if changes else DEFAULT_LIMITS

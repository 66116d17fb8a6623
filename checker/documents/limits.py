"""Safety limits for reading input files.

Every input may be hostile (a snapshot exported by another system, a policy from a pull request),
so the loader refuses, with a clear error, anything that would cost unbounded time or memory.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds the loader enforces; every field can be overridden with ``dataclasses.replace``.

    ``max_bytes``: largest JSON file read (256 MiB). JSON is parsed in C at about the speed of
    ``json.loads`` and needs a few bytes of memory per byte of input.

    ``max_yaml_bytes``: largest YAML file read (32 MiB). PyYAML builds an event object per
    node and needs on the order of 100 bytes of memory per byte of input, hence the lower bound.
    A file whose format is sniffed from its content is read up to the larger of the two bounds,
    then held to the bound of the format found.

    ``max_depth``: deepest nesting of mappings and lists (200 levels). Deeper documents are
    refused before they can exhaust the interpreter's stack.

    ``max_alias_nodes``: how many nodes (mappings, lists, scalars) YAML aliases may add in all,
    each use of an alias counting every node of what it names (1,000,000). An alias bomb
    ("billion laughs") is refused as soon as the count passes the bound, in well under a second;
    nodes written out in the file are bounded by ``max_yaml_bytes`` instead.

    ``max_int_digits``: longest integer accepted, in digits (4000); any integer beyond
    ``10**1000`` in magnitude is refused too (see ``MAX_INT``), as is a float that overflows.

    A bound of zero or less refuses every file of that kind; it is never an error in itself.

    ``stream_from``: a JSON snapshot file of at least this many bytes (64 MiB) is read a block
    of stores at a time, in bounded memory (``checker.evaluation.streamed``), when its stores
    allow it; the results are the same as when it is read whole.
    """

    max_bytes: int = 256 * MIB
    max_yaml_bytes: int = 32 * MIB
    max_depth: int = 200
    max_alias_nodes: int = 1_000_000
    max_int_digits: int = 4000
    stream_from: int = 64 * MIB


DEFAULT_LIMITS = Limits()

# Integers larger than this in magnitude are refused whatever their spelling: they are never
# meaningful in a policy or snapshot and arithmetic on them is slow.
MAX_INT = 10**1000

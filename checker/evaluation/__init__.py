"""Evaluation: the snapshot view the checks read (with imported exports), the engine that
runs every clause against it, waivers, and the regulation frameworks findings map to.

The checks themselves are one module per clause section in :mod:`checker.checks`."""

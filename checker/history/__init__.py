"""Runs over time: baselines (compare a run with an accepted one), the history database of
recorded runs, and the trends computed from it. Every comparison rests on finding ids
(:mod:`checker.core.fingerprint`)."""

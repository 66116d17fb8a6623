"""Shared types every stage uses: results, diagnostics, errors, durations, and the pause of the
garbage collector around large inputs."""

"""policy-checker: privacy promises as code, checked against real configuration."""

from __future__ import annotations

__version__ = "0.1.0"

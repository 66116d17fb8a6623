from __future__ import annotations

from checker.cli import main_entry

main_entry()

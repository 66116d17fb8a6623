from __future__ import annotations

from checker.cli.main import main_entry

main_entry()

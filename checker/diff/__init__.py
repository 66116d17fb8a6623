"""What changed between two versions of a policy: ``policy-check diff``.

:mod:`checker.diff.ordering` holds the orderings clause sections declare next to their
schema; :mod:`checker.diff.engine` matches clauses and reads every change with them;
:mod:`checker.diff.run` loads the versions (files, or a git revision) and checks both against
snapshots; :mod:`reports.diff` renders the result.
"""

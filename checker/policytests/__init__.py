"""Tests for policies: ``policy-check test``.

A test file (``policy_test_format: 1``) names a policy and holds cases: a snapshot, optional
waivers and a date, and the status expected of clauses and resources. :mod:`.loading` finds
and reads test files and everything they name, strictly; :mod:`.running` checks each case
through the same pipeline functions as ``policy-check check`` and compares; :mod:`.coverage`
says which clauses no test sees both passing and failing; :mod:`.text` and :mod:`.junit`
write the outcome. Nothing here prints: the command does.
"""

"""The formats of ``policy-check diff``, one module each; :mod:`reports.diff.formats` is
their registry and renders a diff on a stream and into files."""

"""The command line: :mod:`checker.cli.main` parses the arguments and dispatches to one module
per subcommand; each exposes ``run(args, out, err[, environ]) -> int``.

A command parses nothing itself and decides nothing about inputs: it turns its arguments into
the pipeline's options (:mod:`checker.pipeline`), runs it, renders the result
(:func:`checker.cli.common.render_result`) and returns its exit code.
"""

"""Waishi's workflow engine: definitions, runtime commands, audit history, sandbox, storage.

Nothing in this package imports Flask; the web app, the CLI, tests and benchmarks all call it.
"""

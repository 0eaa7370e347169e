"""Alur benchmarks: every figure is a ratio against a baseline measured in the same run.

Run with ``python -m benchmarks.run [--quick] [--store sqlite|postgres|both] [--only NAME]``;
see ``benchmarks/README.md``.
"""

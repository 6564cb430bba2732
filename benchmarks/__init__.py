"""Benchmarks of keras_losses against what a user would use instead.

Run `python -m benchmarks.run` (see `--help`); results land in
`benchmarks/results/`.
"""

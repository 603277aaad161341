"""mltrace benchmarks: `python -m bench` (or `make bench`) prints medians and ratios."""

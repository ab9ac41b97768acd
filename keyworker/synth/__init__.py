"""Synthetic data for benchmarks: `keyworker synth` (decisions/0029). generate.py makes the rows (pure,
deterministic), load.py writes them (COPY / executemany), run.py ties them to a database."""

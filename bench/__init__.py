"""``make bench``: the benchmark at large-company scale (see ``bench/run.py``)."""

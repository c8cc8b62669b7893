"""Benchmarks, load and fault tests for the dashboard: ``make bench`` (``python -m bench``).

Builds demo databases at several sizes and measures, for each: the build, import throughput next
to DuckDB's plain ``read_csv``, each page served to a viewer (first page, filter changes, bytes,
the map payload), each page's script under AppTest, each query's p50/p95 and the app's peak
memory; then the naive one-marker-per-arrest map, a load test with many viewers and a kill -9
fault test of the importer. Writes ``BENCHMARKS.md`` and ``bench/results.json``.
"""

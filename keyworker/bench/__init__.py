"""`keyworker bench`: time the key pages and API calls on a real server (docs/decisions/0031-benchmark.md)."""

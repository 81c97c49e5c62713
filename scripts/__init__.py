"""Repository tooling (run with ``python3 -m scripts.ops`` from the repo root)."""

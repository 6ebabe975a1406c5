"""The benchmark behind docs/performance.md (``python -m data bench``): tooling, not the app."""

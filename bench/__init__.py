"""Benchmarks of tap-shopify-admin and target-shopify-admin against the emulator's cost budget and
against singer-io's tap-shopify; `python -m bench --help`."""

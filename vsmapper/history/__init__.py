"""Measure a map from a tracker's work-item history (Qt-free; polars loads on first use)."""

"""Bundled resources: example maps, templates, the AI practice catalog, help pages."""

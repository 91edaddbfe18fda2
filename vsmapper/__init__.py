"""VSMapper: idea-to-production value stream maps for software delivery."""

from importlib.util import find_spec
from pathlib import Path

__version__ = "0.1.0"


def _resources() -> Path:
    """Where the bundled resources are, as plain files: a checkout's (where the editable
    install maps them), a wheel's and the bundle's."""
    # Found, not read through importlib.resources: importing that adds a tenth of a bare
    # window's start to the app's.
    spec = find_spec("vsmapper.resources")
    if spec is None or not spec.submodule_search_locations:
        return Path(__file__).parent / "resources"  # as a wheel lays them out
    return Path(spec.submodule_search_locations[0])


RESOURCES = _resources()
"""Example maps, templates, the AI practice catalog, help pages, icons."""

"""The start tells pydantic that no plugins are used, and nothing else changes."""

from __future__ import annotations

import subprocess
import sys


def run(probe: str) -> str:
    """The last line a fresh interpreter running ``probe`` prints."""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip().splitlines()[-1]


def test_maps_load_and_are_refused_as_before_without_looking_for_plugins() -> None:
    probe = (
        "import sys; from vsmapper.pydantic_plugins import skip_pydantic_plugin_search; "
        "skip_pydantic_plugin_search(); from vsmapper.cli import example_map_path; "
        "from vsmapper.io.mapfile import load_map, map_from_data; from vsmapper.errors import "
        "VSMapperError; stream = load_map(example_map_path())\n"
        "try: map_from_data({'format': 'vsmapper', 'version': 1, 'stages': [{'id': ''}]})\n"
        "except VSMapperError: refused = True\n"
        "else: refused = False\n"
        "print(len(stream.stages), refused, 'importlib.metadata' in sys.modules)"
    )
    assert run(probe) == "12 True False"


def test_a_pydantic_that_asks_for_more_gets_its_own_loader() -> None:
    probe = (
        "import sys; from vsmapper.pydantic_plugins import skip_pydantic_plugin_search; "
        "skip_pydantic_plugin_search(); import pydantic.plugin; "
        "stand_in = sys.modules['pydantic.plugin._loader']; "
        "found = stand_in.PYDANTIC_ENTRY_POINT_GROUP; "
        "print(found, sys.modules['pydantic.plugin._loader'] is not stand_in)"
    )
    assert run(probe) == "pydantic True"

"""The bundle's entry point: the same ``vsmapper`` command that pip installs."""

from __future__ import annotations

import sys

from vsmapper.cli import main

if __name__ == "__main__":
    sys.exit(main())

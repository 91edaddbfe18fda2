"""Run VSMapper with ``python -m vsmapper``."""

from vsmapper.cli import main

raise SystemExit(main())

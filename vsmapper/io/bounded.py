"""Reading a whole file, never past a limit, whatever kind of file it is."""

from __future__ import annotations

import os
from pathlib import Path

from vsmapper.errors import VSMapperError


def read_bounded(path: Path, limit: int, kinds: str) -> bytes:
    """The bytes of ``path``, refused past ``limit`` as one of ``kinds`` ("map files").

    A device or a pipe has no size to check before reading, so it is read no further than
    the limit either. Opening and reading raise OSError as they do.
    """
    with path.open("rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        data = b"" if size > limit else stream.read(limit + 1)
    if size > limit or len(data) > limit:
        megabytes = limit // 2**20
        found = (
            f"the file is {size / 2**20:,.0f} MB"
            if size > limit
            else f"reading stopped at {megabytes:,} MB"
        )
        raise VSMapperError(f"{path}: {found}; {kinds} over {megabytes:,} MB are refused")
    return data

"""Writing a file so that nobody ever reads half of it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def replace_atomically(target: Path, write: Callable[[Path], None], tmp: Path | None = None) -> None:
    """Let `write` fill a temporary file beside `target`, then rename it over `target`.

    A reader sees the old file or the new one, never half of it; a failed write (a full disk)
    removes the temporary file and raises. The default temporary name, `.<name>.<pid>.tmp`, is
    the pattern the next build clears when a killed one left it behind.
    """
    tmp = tmp or target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

"""Writing a file whole or not at all: the one mechanism behind every file the package writes.

Tables and metrics (``astro_cyclic.io``, which makes it public) and model
files (``astro_cyclic/_persistence.py``) are all written through
``write_atomically``; it is a module of its own because neither of those two
is the other's dependency.
"""

import os
import uuid
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path, write):
    """Call ``write(temporary_path)``, then rename the temporary file to ``path``.

    The temporary file is in the same folder (so the rename is atomic) and has
    a name of its own (the process and a random part), so that two writers
    never share one; it is removed if ``write`` fails. ``path`` therefore holds
    either its previous content or the complete new one, never a part.

    Raises
    ------
    OSError
        Naming ``path``, when it cannot be written (a full disk, say).
    """
    path = Path(path)
    if path.parent != Path(""):
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise OSError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)

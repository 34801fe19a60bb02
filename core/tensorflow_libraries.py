"""TensorFlow's shared libraries, loaded without holding the interpreter (Linux).

``import tensorflow`` loads ~1.3 GB of shared libraries through the import machinery, which
holds the GIL for the whole ``dlopen``: every other thread, the window's included, stops for
it (0.5-1 s on a 2-core machine).  :func:`preload` loads the same files first through
libc's ``dlopen`` called with ctypes — a foreign call, which releases the GIL — so that the
import later finds them loaded.  They are opened ``RTLD_NOW | RTLD_LOCAL``, exactly as the
import machinery opens an extension's dependencies (``RTLD_GLOBAL`` made the import crash).
Anything unexpected (another platform, other file names) makes it do nothing: the import
then loads the libraries itself, as before.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)

#: The big libraries of a TensorFlow 2.x wheel, in dependency order (relative to its folder).
LIBRARIES = ("libtensorflow_framework.so.2", "libtensorflow_cc.so.2", "python/lib_pywrap_tensorflow_common.so")

_done = False


def preload() -> int:
    """Load TensorFlow's shared libraries with the GIL released; how many were loaded (once per process)."""
    global _done
    if _done or not sys.platform.startswith("linux") or "tensorflow" in sys.modules:
        return 0
    _done = True
    try:
        import ctypes

        spec = importlib.util.find_spec("tensorflow")
        if spec is None or not spec.submodule_search_locations:
            return 0
        folder = Path(list(spec.submodule_search_locations)[0])
        dlopen = ctypes.CDLL(None).dlopen
        dlopen.argtypes, dlopen.restype = [ctypes.c_char_p, ctypes.c_int], ctypes.c_void_p
    except (ImportError, OSError, AttributeError, ValueError) as err:
        log.debug("no preload of TensorFlow's libraries: %s", err)
        return 0
    loaded = 0
    for name in LIBRARIES:
        path = folder / name
        if not path.is_file():
            continue
        if not dlopen(os.fsencode(path), os.RTLD_NOW | os.RTLD_LOCAL):
            log.debug("dlopen refused %s; the import will load it", path)
            break
        loaded += 1
    return loaded

"""How many threads the codecs and OpenCV may use in this process.

One file uses every core (decoding, tracking and encoding overlap). When several files run
in parallel processes, each process gets a share instead, so the processes do not fight
over the cores.

Examples
--------
>>> set_thread_budget(1); codec_threads()
1
>>> set_thread_budget(None); codec_threads()
0
"""

from __future__ import annotations

_budget: int | None = None


def set_thread_budget(threads: int | None) -> None:
    """Limit codec and OpenCV threads to ``threads`` (None: the libraries decide)."""
    global _budget
    _budget = threads
    import cv2

    cv2.setNumThreads(threads if threads else -1)


def codec_threads() -> int:
    """Thread count for FFmpeg codecs (0 means automatic)."""
    return _budget or 0

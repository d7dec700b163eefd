"""Open media files with PyAV as local files, never as FFmpeg URLs.

FFmpeg reads a name such as ``tcp:127.0.0.1:8765?x=.mp4`` or ``file:other.mp4`` as a
protocol and an address: a file of that name would open a socket, or decode another file
than the one hashed for the sidecar. Every container PyAV opens in PyFAME goes through
:func:`open_container`, which passes the absolute path behind FFmpeg's explicit ``file:``
protocol, so the name is only ever a file name.

Examples
--------
>>> ffmpeg_file_url("/data/tcp:127.0.0.1:8765?x=.mp4")
'file:/data/tcp:127.0.0.1:8765?x=.mp4'
"""

from __future__ import annotations

import os
from typing import Any

import av


def ffmpeg_file_url(path: str | os.PathLike[str]) -> str:
    """The FFmpeg URL that names exactly the local file ``path`` (absolute, ``file:``).

    Parameters
    ----------
    path : str or Path
        A file name, relative to the working folder or absolute.

    Returns
    -------
    str
        ``"file:" + the absolute path``; FFmpeg's file protocol takes the rest literally
        (no query, no other protocol, no percent-decoding).
    """
    return "file:" + os.path.abspath(os.fspath(path))


def open_container(path: str | os.PathLike[str], mode: str = "r", **kwargs: Any) -> Any:
    """``av.open`` of the local file ``path``, whatever characters its name holds.

    Parameters
    ----------
    path : str or Path
        The file to read or write.
    mode : {"r", "w"}
        Read or write.
    **kwargs
        Passed to :func:`av.open` (``format``, ``options``, ...).

    Returns
    -------
    av.container.InputContainer or av.container.OutputContainer

    Examples
    --------
    >>> # with open_container("clip.mp4") as container: container.streams.video[0]
    """
    return av.open(ffmpeg_file_url(path), mode=mode, **kwargs)


__all__ = ["ffmpeg_file_url", "open_container"]

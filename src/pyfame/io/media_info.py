"""Facts about a media file: size, frame rate, frames, duration, audio, rotation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def media_info(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Facts of an image or video (sizes after rotation; fps as a float).

    Examples
    --------
    >>> # media_info("clip.mp4")["fps"]  → 29.97
    """
    from pyfame.io import open_source

    p = Path(path)
    with open_source(p) as source:
        facts: dict[str, Any] = {
            "path": str(p),
            "kind": source.kind,
            "width": source.width,
            "height": source.height,
            "fps": round(float(source.fps), 6) if source.fps else None,
            "frame_count": int(source.frame_count),
            "duration_s": round(float(source.duration), 6),
            "has_audio": bool(source.has_audio),
            "rotation": int(source.rotation),
        }
        if source.kind == "video":
            container = source._container
            v = container.streams.video[0]
            facts["video_codec"] = v.codec_context.name
            facts["pix_fmt"] = v.codec_context.pix_fmt
            a = container.streams.audio
            facts["audio_codec"] = a[0].codec_context.name if a else None
    return facts

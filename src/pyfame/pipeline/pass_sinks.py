"""Where one file's pass writes: a sink protocol with a video, a still and a no-media sink, and
the tables, all made as temporary files of the pass's
:class:`~pyfame.io.output_group.OutputGroup` (put in place together with the sidecar).

:func:`~pyfame.pipeline.file_pass.run_file` gives each processed frame to the sink
(:meth:`MediaSink.put`), then :meth:`MediaSink.finish` writes it, or :meth:`MediaSink.abort`
drops it when the pass fails.

Examples
--------
>>> sink = NoMediaSink()
>>> sink.put(0, 0.0, None); sink.finish(); sink.frames
1
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from pyfame.io.frame import Frame
from pyfame.io.image_sink import holds_alpha, write_image
from pyfame.io.table_sink import write_table
from pyfame.io.video_sink import VideoSink
from pyfame.pipeline.prefetch import BackgroundConsumer


class MediaSink(Protocol):
    """What a pass writes its processed frames to."""

    frames: int

    def put(self, index: int, t: float, pixels: np.ndarray) -> None:
        """One processed frame (its index and time in the source)."""
        ...

    def finish(self) -> None:
        """Every frame given: complete the file."""
        ...

    def abort(self) -> None:
        """The pass failed: stop, and leave nothing behind."""
        ...


class VideoFileSink:
    """An H.264 MP4 (with the source's audio when ``audio``), encoded on a background thread
    while the next frames are processed."""

    def __init__(self, path: Path, source: Any, input_path: Path, audio: bool, crf: int, preset: str) -> None:
        self.frames = 0
        self._sink = VideoSink(path, source.width, source.height, source.fps,
                               time_base=getattr(source, "time_base", None),
                               audio_from=input_path if audio and getattr(source, "has_audio", False) else None,
                               crf=crf, preset=preset, atomic=False)
        self._writer: BackgroundConsumer[Frame] | None = BackgroundConsumer(self._sink.write)

    def put(self, index: int, t: float, pixels: np.ndarray) -> None:
        assert self._writer is not None
        self._writer.put(Frame(index, t, np.ascontiguousarray(pixels)))
        self.frames += 1

    def finish(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        self._sink.close()

    def abort(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.close()
            except BaseException:  # the pass's own error is the one to report
                pass
        self._sink.abort()


class StillFileSink:
    """An image: the last frame given (a still has one), with the source's alpha channel where
    the format holds one (through the layers' :meth:`~pyfame.pipeline.layer_stack.LayerStack.alpha`)."""

    def __init__(self, path: Path, target: Path, source: Any, stack: Any) -> None:
        self.frames = 0
        self._path, self._target, self._source, self._stack = path, target, source, stack
        self._still: np.ndarray | None = None

    def put(self, index: int, t: float, pixels: np.ndarray) -> None:
        self._still = pixels
        self.frames += 1

    def finish(self) -> None:
        if self._still is None:  # the frame was dropped: nothing to write
            return
        source_alpha = getattr(self._source, "alpha", None) if holds_alpha(self._target) else None
        write_image(self._path, self._still, self._stack.alpha(source_alpha), image_format=self._target.suffix,
                    atomic=False)

    def abort(self) -> None:
        self._still = None


class NoMediaSink:
    """A measurement's pass: frames are counted, nothing is written."""

    def __init__(self) -> None:
        self.frames = 0

    def put(self, index: int, t: float, pixels: np.ndarray) -> None:
        self.frames += 1

    def finish(self) -> None:
        pass

    def abort(self) -> None:
        pass


def media_sink(target: Path | None, group: Any, source: Any, input_path: Path, audio: bool, options: Any,
               stack: Any) -> MediaSink:
    """The sink of a pass writing ``target`` (None: no media) from ``source``: a video for a
    video source, else a still; its file a temporary one of ``group``."""
    if target is None:
        return NoMediaSink()
    if source.kind == "video":
        return VideoFileSink(group.temp_for(target), source, input_path, audio, options.crf, options.preset)
    return StillFileSink(group.temp_for(target), target, source, stack)


def write_tables(tables: dict[str, pd.DataFrame], targets: dict[str, Path], group: Any) -> dict[Path, Path]:
    """Each probe's table written to a temporary file of ``group`` (an empty table for a probe
    that made none); returns target → temporary file."""
    written: dict[Path, Path] = {}
    for name, target in targets.items():
        table = tables.get(name, pd.DataFrame())
        written[target] = write_table(table, group.temp_for(target), table_format=target.suffix, atomic=False)
    return written


__all__ = ["MediaSink", "NoMediaSink", "StillFileSink", "VideoFileSink", "media_sink", "write_tables"]

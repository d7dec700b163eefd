"""Write frames as H.264 MP4 with PyAV, carrying the input's audio over unchanged."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from pyfame.errors import FileWriteError, ImageShapeError, PyfameValueError
from pyfame.io.atomic_write import temp_path_beside
from pyfame.io.frame import Frame
from pyfame.io.media_open import open_container
from pyfame.io.yuv420 import rgb_to_i420
from pyfame.validation import check_choice, check_int

log = logging.getLogger(__name__)

X264_PRESETS = (
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow",
)
#: Named encoder settings, ``name: (x264 preset, CRF)``, chosen with ``encoder_profile``; an
#: explicit ``preset`` or ``crf`` replaces that value of the profile (:func:`encoder_settings`).
#: Not the H.264 profile of the stream (both give Constrained Baseline streams).
#:
#: ``small`` (the default) follows the rule of PyFAME issue 16: on a typical camera clip
#: (720p, 8.6 Mb/s H.264 with AAC), write at most half the input's bytes at a luma PSNR of at
#: least 45 dB against the frames PyFAME computed, and among the settings that do, take the
#: fastest (least encoder CPU time per frame). ``ultrafast`` is the fastest preset, and its CPU
#: time falls as the CRF rises (fewer bits to code), so the winner is its highest CRF that keeps
#: 45 dB: CRF 25 on both RAVDESS clips measured (PSNR-Y 46.6 and 45.2 dB, 23-24% of the input's
#: bytes, 23% less encoder CPU than CRF 15). Being the fastest setting that keeps 45 dB at all,
#: it leaves no speed to buy with size. ``fidelity`` is 0.3.0's default, ``ultrafast`` at CRF 15
#: (PSNR-Y 52-54 dB, about the input's bytes, the H.264 stream 0.3.0 wrote), for outputs that
#: will be processed again. ``fast`` is the profile for those who want speed over size: the
#: fastest setting that keeps 45 dB. On the clips measured that is ``small``'s own setting (a
#: larger file at this fidelity would take more CPU, not less), so today the two are the same;
#: the name stays its own so that a script asking for speed keeps getting the fastest setting
#: if the default ever moves towards smaller files. See ``benchmarks/bench_encoder_presets.py``
#: and docs/pipeline.md, "Encoding videos".
ENCODER_PROFILES: dict[str, tuple[str, int]] = {
    "small": ("ultrafast", 25),
    "fast": ("ultrafast", 25),
    "fidelity": ("ultrafast", 15),
}
#: The one place the default encoding is chosen.
DEFAULT_ENCODER_PROFILE = "small"
DEFAULT_PRESET, DEFAULT_CRF = ENCODER_PROFILES[DEFAULT_ENCODER_PROFILE]
#: libx264 threads, whatever the machine: see VideoSink._open.
X264_THREADS = 4
#: The colour description written into the stream (H.264 VUI): BT.601 matrix (what both
#: rgb_to_i420 and swscale's default conversion use), limited "TV" range, BT.709 (= sRGB)
#: primaries and BT.709 transfer. Without it a player guesses, and for HD most guess a BT.709
#: matrix, which shifts hues.
COLOR_TAGS = {  # AVCOL_SPC_SMPTE170M, AVCOL_RANGE_MPEG, AVCOL_PRI_BT709, AVCOL_TRC_BT709
    "colorspace": 6, "color_range": 1, "color_primaries": 1, "color_trc": 1,
}
#: Audio codecs that go into an MP4 as they are; others are re-encoded to AAC.
MP4_AUDIO_CODECS = frozenset({"aac", "mp3", "opus", "alac", "flac", "ac3", "eac3"})


#: libx264 settings beyond preset and CRF, the same for every output (see :func:`x264_options`).
X264_PARAMS = "mbtree=0:cpu-independent=1"


def x264_options(crf: int, preset: str) -> dict[str, str]:
    """libx264 settings: quality, speed, and the two that keep the bytes reproducible.

    Macroblock-tree rate control is off: with it on, the libx264 bundled with PyAV gave
    different bytes for the same frames from run to run (about half of runs, single-threaded
    too); with it off, outputs are byte-identical. The cost is a few percent more bits at the
    same CRF. ``cpu-independent`` makes x264 take its canonical algorithms instead of ones
    its assembly for this CPU offers (the SSSE3/AVX "all nine intra modes at once" searches
    choose differently from the C code), so the bytes do not depend on the machine; it
    changes nothing for ``ultrafast``, which does not search those modes.

    Examples
    --------
    >>> x264_options(25, "ultrafast")["x264-params"]
    'mbtree=0:cpu-independent=1'
    """
    return {"crf": str(crf), "preset": preset, "x264-params": X264_PARAMS}


def encoder_settings(encoder_profile: str = DEFAULT_ENCODER_PROFILE, preset: str | None = None,
                     crf: int | None = None) -> tuple[str, int]:
    """The x264 preset and CRF a run uses: the profile's, with explicit values winning.

    Parameters
    ----------
    encoder_profile : {"small", "fast", "fidelity"}
        A name of :data:`ENCODER_PROFILES`.
    preset : str, optional
        An x264 preset; replaces the profile's.
    crf : int, optional
        A CRF, 0 (best) to 51; replaces the profile's.

    Returns
    -------
    tuple of (str, int)
        ``(preset, crf)``.

    Raises
    ------
    PyfameValueError
        An unknown profile or preset, or a CRF outside 0-51 (``param`` names which).

    Examples
    --------
    >>> encoder_settings()
    ('ultrafast', 25)
    >>> encoder_settings("fidelity"), encoder_settings("small", crf=18)
    (('ultrafast', 15), ('ultrafast', 18))
    >>> encoder_settings(preset="veryfast")
    ('veryfast', 25)
    """
    profile = check_choice(encoder_profile, "encoder_profile", {p: p for p in ENCODER_PROFILES})
    chosen_preset, chosen_crf = ENCODER_PROFILES[profile]
    if preset is not None:
        chosen_preset = check_choice(preset, "preset", {p: p for p in X264_PRESETS})
    if crf is not None:
        chosen_crf = check_int(crf, "crf", low=0, high=51)
    return chosen_preset, chosen_crf


def encoder_record(preset: str, crf: int, encoder_profile: str | None = None) -> dict[str, object]:
    """What a sidecar records of the encoding: the codec, the preset and CRF used, the profile
    (its name when its values were used as they are; None when a given preset or CRF replaced
    them), and the fixed x264 parameters and thread count.

    Examples
    --------
    >>> encoder_record("ultrafast", 25, "small")["profile"], encoder_record("ultrafast", 18, "small")["profile"]
    ('small', None)
    """
    profile = encoder_profile if ENCODER_PROFILES.get(encoder_profile or "") == (preset, crf) else None
    return {"codec": "libx264", "profile": profile, "preset": preset, "crf": crf,
            "x264_params": X264_PARAMS, "threads": X264_THREADS}


class VideoSink:
    """An H.264 MP4 writer that only leaves a file behind when it is complete.

    Frames go to a hidden temporary file beside ``path``; :meth:`close` finishes and renames
    it, :meth:`abort` (or an exception in a ``with`` block) deletes it. Each frame's ``t``
    becomes its presentation time, so the input's timing (variable frame rates too) is kept.
    Even sizes are encoded as ``yuv420p``; libx264 cannot do 4:2:0 at an odd width or height,
    so odd sizes are encoded as ``yuv444p`` (High 4:4:4 profile) to keep the exact size.
    RGB becomes YUV with the BT.601 matrix in limited range, and the stream says so
    (:data:`COLOR_TAGS`), so players show the colours that were computed.

    Parameters
    ----------
    path : str or Path
        The ``.mp4`` to write.
    width, height : int
        Frame size in pixels.
    fps : float or Fraction
        Nominal frame rate (written as the stream's rate).
    time_base : Fraction, optional
        Time base of the timestamps (the input stream's, to keep its exact times);
        ``1 / (fps * 1000)`` by default.
    audio_from : str or Path, optional
        A media file whose first audio stream is copied packet for packet (re-encoded to AAC
        only when its codec cannot go into MP4, with a warning).
    crf : int
        libx264 constant rate factor, 0 (best) to 51 (:data:`DEFAULT_CRF` by default).
    preset : str
        libx264 speed preset, ``ultrafast`` … ``veryslow`` (:data:`DEFAULT_PRESET` by default).
    atomic : bool
        True (default) writes a temporary file renamed on :meth:`close`; False writes
        ``path`` itself (a temporary file an :class:`~pyfame.io.output_group.OutputGroup`
        puts in place), which :meth:`abort` removes.

    Examples
    --------
    >>> # with VideoSink("out.mp4", 640, 480, 30) as sink:
    >>> #     for frame in frames: sink.write(frame)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        width: int,
        height: int,
        fps: float | Fraction,
        time_base: Fraction | None = None,
        audio_from: str | os.PathLike[str] | None = None,
        crf: int = DEFAULT_CRF,
        preset: str = DEFAULT_PRESET,
        *,
        atomic: bool = True,
    ) -> None:
        self.path = Path(path)
        self.atomic = atomic
        self.width = check_int(width, "width", low=1)
        self.height = check_int(height, "height", low=1)
        self.crf = check_int(crf, "crf", low=0, high=51)
        self.preset = check_choice(preset, "preset", {p: p for p in X264_PRESETS})
        if not fps or float(fps) <= 0:
            raise PyfameValueError(f"fps must be > 0, got {fps!r}")
        self.fps = Fraction(fps).limit_denominator(1_000_000)
        self.time_base = Fraction(time_base) if time_base else Fraction(1, 1) / (self.fps * 1000)
        self.pix_fmt = "yuv420p" if self.width % 2 == 0 and self.height % 2 == 0 else "yuv444p"
        self._last_pts = -1
        self._frames = 0
        self._tmp = temp_path_beside(self.path) if atomic else self.path
        self._audio_in: av.container.InputContainer | None = None
        self._audio_packets: Iterator[av.Packet] | None = None
        self._pending: av.Packet | None = None
        try:
            self._open(audio_from)
        except BaseException:
            self._cleanup()
            raise

    def _open(self, audio_from: str | os.PathLike[str] | None) -> None:
        try:
            # the index (moov) before the media data, so a browser starts playing without first
            # fetching the end of the file ("fast start"); the muxer rewrites the file on close
            self._container = open_container(self._tmp, mode="w", format="mp4", options={"movflags": "+faststart"})
            stream = self._container.add_stream("libx264", rate=self.fps, options=x264_options(self.crf, self.preset))
            # a fixed thread count: x264's output depends on it, and the bytes must not depend
            # on the machine's cores or on how many files run in parallel
            stream.codec_context.thread_count = X264_THREADS
            stream.width = self.width
            stream.height = self.height
            stream.pix_fmt = self.pix_fmt
            stream.time_base = self.time_base
            stream.codec_context.time_base = self.time_base
            for name, value in COLOR_TAGS.items():
                setattr(stream.codec_context, name, value)
            self._video = stream
        except (av.error.FFmpegError, ValueError) as exc:
            raise FileWriteError(f"{self.path}: cannot set up the H.264 encoder ({exc})") from exc
        if audio_from is not None:
            self._open_audio(Path(audio_from))

    def _open_audio(self, source: Path) -> None:
        try:
            self._audio_in = open_container(source, mode="r")
        except av.error.FFmpegError as exc:
            raise FileWriteError(f"{self.path}: cannot read the audio of {source} ({exc})") from exc
        if not self._audio_in.streams.audio:
            self._audio_in.close()
            self._audio_in = None
            return
        in_stream = self._audio_in.streams.audio[0]
        name = in_stream.codec_context.name
        if name in MP4_AUDIO_CODECS:
            self._audio = self._container.add_stream_from_template(in_stream)
            self._audio_packets = (p for p in self._audio_in.demux(in_stream) if p.size)
        else:
            log.warning(
                "%s: the audio codec %s of %s cannot go into MP4 as it is; re-encoding it to AAC",
                self.path, name, source,
            )
            self._audio = self._container.add_stream("aac", rate=in_stream.codec_context.sample_rate)
            channels = in_stream.codec_context.channels
            # files such as AVI may carry "N channels" with no named order, which AAC refuses
            named = {1: "mono", 2: "stereo", 3: "2.1", 4: "quad", 6: "5.1", 8: "7.1"}.get(channels)
            self._audio.layout = named or in_stream.codec_context.layout.name
            self._audio_packets = self._reencoded(in_stream)

    def _reencoded(self, in_stream: av.audio.stream.AudioStream) -> Iterator[av.Packet]:
        assert self._audio_in is not None
        resampler = av.AudioResampler(format="fltp", layout=self._audio.layout.name,
                                      rate=in_stream.codec_context.sample_rate)
        for frame in self._audio_in.decode(in_stream):
            for converted in resampler.resample(frame):
                converted.pts = None
                yield from self._audio.encode(converted)
        yield from self._audio.encode(None)

    def _packet_seconds(self, packet: av.Packet) -> float:
        ts = packet.dts if packet.dts is not None else packet.pts
        if ts is None or packet.time_base is None:
            return float("-inf")
        return float(ts * packet.time_base)

    def _mux_audio_until(self, seconds: float) -> None:
        if self._audio_packets is None:
            return
        while True:
            if self._pending is None:
                self._pending = next(self._audio_packets, None)
                if self._pending is None:
                    self._audio_packets = None
                    return
            if self._packet_seconds(self._pending) > seconds:
                return
            self._pending.stream = self._audio
            self._container.mux(self._pending)
            self._pending = None

    def _mux_video(self, packets: list[av.Packet]) -> None:
        for packet in packets:
            self._mux_audio_until(self._packet_seconds(packet))
            self._container.mux(packet)

    def write(self, frame: Frame) -> None:
        """Encode one frame (RGB uint8 ``(height, width, 3)``) at its time ``frame.t``."""
        pixels = frame.pixels
        if pixels.shape != (self.height, self.width, 3) or pixels.dtype != np.uint8:
            raise ImageShapeError(
                f"{self.path}: frame {frame.index} is {pixels.dtype} {pixels.shape}, "
                f"expected uint8 {(self.height, self.width, 3)}"
            )
        pts = int(round(frame.t / self.time_base)) if frame.t >= 0 else self._last_pts + 1
        pts = max(pts, self._last_pts + 1)
        self._last_pts = pts
        video_frame = self._to_video_frame(pixels)
        video_frame.pts = pts
        video_frame.time_base = self.time_base
        try:
            self._mux_video(self._video.encode(video_frame))
        except av.error.FFmpegError as exc:
            raise FileWriteError(f"{self.path}: encoding frame {frame.index} failed ({exc})") from exc
        self._frames += 1

    def _to_video_frame(self, pixels: np.ndarray) -> av.VideoFrame:
        """RGB pixels as a frame in the encoder's own format.

        4:2:0 is converted here (:func:`~pyfame.io.yuv420.rgb_to_i420`: BT.601, limited
        range, chroma of each 2x2 block's mean colour), faster than the swscale conversion
        PyAV would otherwise run inside ``encode``; 4:4:4 (odd sizes) goes through swscale
        with the same matrix.
        """
        if self.pix_fmt == "yuv420p":
            return av.VideoFrame.from_ndarray(rgb_to_i420(pixels), format="yuv420p")
        return av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgb24")

    @property
    def frames_written(self) -> int:
        """Frames handed to the encoder so far."""
        return self._frames

    def close(self) -> Path:
        """Flush the encoder, finish the file and move it into place; returns the path."""
        try:
            self._mux_video(self._video.encode(None))
            self._mux_audio_until(float("inf"))
            self._container.close()
            if self._audio_in is not None:
                self._audio_in.close()
                self._audio_in = None
            if self._frames == 0:
                raise FileWriteError(f"{self.path}: no frame was written")
            if self.atomic:
                os.replace(self._tmp, self.path)
        except BaseException as exc:
            self._cleanup()
            if isinstance(exc, av.error.FFmpegError):
                raise FileWriteError(f"{self.path}: finishing the video failed ({exc})") from exc
            raise
        return self.path

    def _cleanup(self) -> None:
        for handle in (getattr(self, "_container", None), self._audio_in):
            if handle is not None:
                try:
                    handle.close()
                except Exception:  # already failing: the temp file goes regardless
                    pass
        self._audio_in = None
        self._tmp.unlink(missing_ok=True)

    def abort(self) -> None:
        """Stop and delete the temporary file; nothing is left behind."""
        self._cleanup()

    def __enter__(self) -> VideoSink:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        if et is None:
            self.close()
        else:
            self.abort()

"""Make face media from the shipped sample face: stills, moving-face videos with audio, noise.

The face is the astronaut portrait of scikit-image (``skimage.data.astronaut``, a NASA
photograph in the public domain). Videos move it by known affine transforms, so a test can
check that tracked landmarks follow the face exactly.

Examples
--------
>>> m = moving_face_transforms(3, (320, 240), "translate", dx_per_frame=2.0)
>>> float(m[2, 0, 2] - m[0, 0, 2])
4.0
"""

from __future__ import annotations

import os
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.io.frame import Frame
from pyfame.io.image_sink import write_image
from pyfame.io.media_open import open_container
from pyfame.io.video_sink import VideoSink

#: Centre of the astronaut's face in the 512x512 sample image (pixels).
FACE_CENTRE = (240.0, 130.0)
MOTIONS = ("still", "translate", "rotate", "scale", "talk")


@lru_cache(maxsize=1)
def _sample_face() -> np.ndarray:
    data = resources.files("pyfame.samples").joinpath("astronaut.jpg").read_bytes()
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def sample_face() -> np.ndarray:
    """The sample face, RGB uint8 ``(512, 512, 3)`` (a fresh copy).

    Examples
    --------
    >>> sample_face().shape
    (512, 512, 3)
    """
    return _sample_face().copy()


def moving_face_transforms(
    n_frames: int,
    size: tuple[int, int],
    motion: str = "talk",
    seed: int = 0,
    *,
    dx_per_frame: float = 2.0,
    dy_per_frame: float = 0.0,
    degrees_per_frame: float = 1.0,
    max_degrees: float = 30.0,
    face_height: float | None = None,
) -> np.ndarray:
    """Per-frame 2x3 affine matrices mapping sample-face pixels to output-frame pixels.

    The face starts centred in the frame, scaled so it is ``face_height`` pixels tall
    (default: 45% of the frame height; the face region is about 150 px of the 512 px image).

    Motions: ``still``; ``translate`` (``dx_per_frame``, ``dy_per_frame`` pixels per frame);
    ``rotate`` (in-plane about the face centre, ``degrees_per_frame`` up to ``max_degrees``,
    then back); ``scale`` (slow zoom, ±15%); ``talk`` (a smooth seeded mix of small
    translation, rotation and zoom, like a talking head).
    """
    if motion not in MOTIONS:
        raise PyfameValueError(f"motion must be one of {MOTIONS}, got {motion!r}")
    w, h = size
    base_scale = (face_height or 0.45 * h) / 150.0
    rng = np.random.default_rng(seed)
    phases = rng.uniform(0, 2 * np.pi, 4)
    out = np.zeros((n_frames, 2, 3), np.float64)
    for i in range(n_frames):
        dx = dy = angle = 0.0
        scale = 1.0
        if motion == "translate":
            dx, dy = dx_per_frame * i, dy_per_frame * i
        elif motion == "rotate":
            period = 4 * max_degrees / degrees_per_frame
            phase = (i * degrees_per_frame) % (4 * max_degrees)
            angle = phase if phase <= max_degrees else (
                2 * max_degrees - phase if phase <= 3 * max_degrees else phase - 4 * max_degrees)
            del period
        elif motion == "scale":
            scale = 1.0 + 0.15 * np.sin(2 * np.pi * i / max(n_frames, 1))
        elif motion == "talk":
            s = i / 30.0
            dx = 0.06 * w * np.sin(2 * np.pi * 0.31 * s + phases[0])
            dy = 0.04 * h * np.sin(2 * np.pi * 0.47 * s + phases[1])
            angle = 8.0 * np.sin(2 * np.pi * 0.23 * s + phases[2])
            scale = 1.0 + 0.08 * np.sin(2 * np.pi * 0.19 * s + phases[3])
        m = cv2.getRotationMatrix2D(FACE_CENTRE, angle, base_scale * scale)
        m[0, 2] += w / 2 - FACE_CENTRE[0] + dx
        m[1, 2] += h / 2 - FACE_CENTRE[1] + dy
        out[i] = m
    return out


def render_frame(matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The sample face warped by ``matrix`` into a frame of ``size`` (mid-grey around it)."""
    return cv2.warpAffine(
        _sample_face(), matrix, size, flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT, borderValue=(128, 128, 128),
    )


def write_moving_face_video(
    path: str | os.PathLike[str],
    n_frames: int = 60,
    fps: float = 30,
    size: tuple[int, int] = (640, 480),
    motion: str = "talk",
    audio: bool = True,
    seed: int = 0,
    crf: int = 18,
    preset: str = "veryfast",
    **motion_kw: Any,
) -> np.ndarray:
    """Write a moving-face H.264 MP4 (with a mono AAC tone when ``audio``); returns the
    per-frame affine matrices (see :func:`moving_face_transforms`).

    The video is encoded like a typical camera or editor file (High profile, with B-frames:
    ``veryfast`` at CRF 18), whatever PyFAME's own output defaults are, so that test and
    benchmark inputs do not change when those do.

    Examples
    --------
    >>> # m = write_moving_face_video("face.mp4", n_frames=90, motion="rotate")
    """
    path = Path(path)
    transforms = moving_face_transforms(n_frames, size, motion, seed, **motion_kw)
    rate = Fraction(fps).limit_denominator(1001)
    audio_file = None
    if audio:
        audio_file = path.with_name(f".{path.stem}.audio.m4a")
        _write_tone(audio_file, n_frames / float(rate))
    try:
        with VideoSink(path, size[0], size[1], rate, time_base=Fraction(1, 1) / (rate * 512),
                       audio_from=audio_file, crf=crf, preset=preset) as sink:
            for i, m in enumerate(transforms):
                sink.write(Frame(i, i / float(rate), render_frame(m, size)))
    finally:
        if audio_file is not None:
            audio_file.unlink(missing_ok=True)
    return transforms


def _write_tone(path: Path, seconds: float, rate: int = 48000) -> None:
    """A 440 Hz tone with a 3 Hz amplitude modulation, mono AAC in an .m4a."""
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    wave = (0.3 * np.sin(2 * np.pi * 440 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))).astype(np.float32)
    with open_container(path, "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        chunk = 1024
        for start in range(0, n, chunk):
            frame = av.AudioFrame.from_ndarray(wave[None, start:start + chunk], format="fltp", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def write_noise_video(path: str | os.PathLike[str], n_frames: int = 30, size: tuple[int, int] = (320, 240),
                      fps: float = 30, seed: int = 0) -> Path:
    """Plain uniform noise, no face, no audio."""
    rng = np.random.default_rng(seed)
    rate = Fraction(fps).limit_denominator(1001)
    with VideoSink(path, size[0], size[1], rate) as sink:
        for i in range(n_frames):
            sink.write(Frame(i, i / float(rate), rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)))
    return Path(path)


def write_sample_stills(folder: str | os.PathLike[str], n: int = 200, size: tuple[int, int] = (1024, 1024),
                        image_format: str = "jpg", quality: int = 90, seed: int = 0) -> list[Path]:
    """A folder of ``n`` different stills of the sample face, one face each, like a face
    database: each moved, scaled (face 25-50% of the height), rotated (±20°) and tinted
    (±15% per channel) by a seeded draw, on mid-grey, written as ``face_000.jpg``, ...

    ``quality`` (0-100) is the JPEG or WebP quality. Returns the paths, in order.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_sample_stills(tempfile.mkdtemp(), n=2, size=(64, 64))]
    ['face_000.jpg', 'face_001.jpg']
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    w, h = size
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        m = cv2.getRotationMatrix2D(FACE_CENTRE, rng.uniform(-20, 20), h * rng.uniform(0.25, 0.5) / 150.0)
        m[0, 2] += w / 2 - FACE_CENTRE[0] + rng.uniform(-0.12, 0.12) * w
        m[1, 2] += h / 2 - FACE_CENTRE[1] + rng.uniform(-0.12, 0.12) * h
        tinted = np.clip(render_frame(m, size) * rng.uniform(0.85, 1.15, 3), 0, 255).astype(np.uint8)
        paths.append(write_image(out / f"face_{i:03d}.{image_format.lstrip('.')}", tinted, quality=quality))
    return paths


def write_sample_image(path: str | os.PathLike[str]) -> Path:
    """The sample face as an image file (format by extension)."""
    return write_image(path, _sample_face())

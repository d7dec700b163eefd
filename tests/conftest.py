"""Shared test media, made at run time: the astronaut face moved over frames, and noise."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the landmark cache of the test run out of the user's home."""
    os.environ["PYFAME_CACHE_DIR"] = str(tmp_path_factory.mktemp("landmark-cache"))


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def talking_video(media_dir: Path) -> tuple[Path, np.ndarray]:
    """A 48-frame 320x240 talking-head clip with audio, and its per-frame affine transforms."""
    from pyfame.samples import write_moving_face_video

    path = media_dir / "talking.mp4"
    transforms = write_moving_face_video(path, n_frames=48, fps=24, size=(320, 240), motion="talk", audio=True, seed=3)
    return path, transforms


@pytest.fixture(scope="session")
def face_image(media_dir: Path) -> Path:
    """The astronaut face as a PNG."""
    import cv2
    from skimage.data import astronaut

    path = media_dir / "astronaut.png"
    cv2.imwrite(str(path), cv2.cvtColor(astronaut(), cv2.COLOR_RGB2BGR))
    return path


@pytest.fixture(scope="session")
def noise_image(media_dir: Path) -> Path:
    """Plain noise: no face."""
    import cv2

    path = media_dir / "noise.png"
    cv2.imwrite(str(path), np.random.default_rng(0).integers(0, 256, (240, 320, 3), dtype=np.uint8))
    return path


def listing(folder: Path) -> list[str]:
    """Every file under ``folder`` (relative), hidden ones included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def write_audio_only(path: Path) -> Path:
    """An MP4 with one AAC stream and no video."""
    import av

    with av.open(str(path), "w") as c:
        s = c.add_stream("aac", rate=48000)
        s.layout = "mono"
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        frame.sample_rate = 48000
        for p in [*s.encode(frame), *s.encode(None)]:
            c.mux(p)
    return path


def paint_outside(pixels: np.ndarray, faces, regions, color=(0, 255, 0)) -> tuple[np.ndarray, np.ndarray]:
    """``pixels`` with everything the regions' mask does not touch painted ``color``, and
    the mask over the frame: a background no face pixel has, to see where it travels."""
    from pyfame.face.region_mask import region_mask

    alpha = region_mask(faces, regions, pixels.shape).full()
    painted = pixels.copy()
    painted[alpha == 0] = color
    return painted, alpha


def greenish(pixels: np.ndarray) -> np.ndarray:
    """Where green exceeds red and blue by more than 60 levels: pure green, or a mix with
    it, never a face (skin, hair, eyes and lips have more red than green)."""
    p = pixels.astype(np.int16)
    return (p[..., 1] - np.maximum(p[..., 0], p[..., 2])) > 60

"""Media helpers of the seed's utils: transcode, normalise image sizes, still images to a video."""

from __future__ import annotations

import logging
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from pyfame.errors import ImageShapeError, PyfameValueError
from pyfame.io import Frame, VideoSink, read_image, write_image
from pyfame.io.output_group import OutputGroup
from pyfame.io.video_sink import DEFAULT_ENCODER_PROFILE
from pyfame.pipeline.file_pass import FileResult
from pyfame.pipeline.inputs import find_inputs
from pyfame.pipeline.output_policy import OutputFolder
from pyfame.solid_color import solid_color
from pyfame.utils.predefined_constants import NORMALIZE_IMAGES_CROP, NORMALIZE_METHOD_NAMES, options
from pyfame.validation import (
    check_bool,
    check_choice,
    check_color,
    check_existing_path,
    check_float,
    check_output_dir,
)

log = logging.getLogger(__name__)


def transcode_video_to_mp4(input_dir: str | os.PathLike[str], output_dir: str | os.PathLike[str],
                           with_sub_dirs: bool = False, crf: int | None = None, preset: str | None = None,
                           overwrite: bool = False, encoder_profile: str = DEFAULT_ENCODER_PROFILE) -> list[FileResult]:
    """Re-encode videos (any format PyAV reads) as H.264 MP4 in ``output_dir/Transcoded/``,
    keeping size, frame rate, frame count, timestamps and audio. No face tracking; stills in
    a folder are left out. ``encoder_profile`` names the x264 settings (``"small"`` by default,
    ``"fidelity"``); a given ``crf`` or ``preset`` replaces the profile's.

    Examples
    --------
    >>> # transcode_video_to_mp4("clips/", "out/")
    """
    from pyfame.pipeline.apply_layers import run_work
    from pyfame.pipeline.file_pass import Work
    from pyfame.pipeline.run_options import RunSettings

    check_existing_path(input_dir, "input_dir")
    check_output_dir(output_dir, "output_dir")
    settings = RunSettings(with_sub_dirs=with_sub_dirs, crf=crf, preset=preset, encoder_profile=encoder_profile,
                           landmark_cache=False, overwrite=overwrite)
    return run_work(input_dir, output_dir, Work(operation="transcode_video_to_mp4"), settings,
                    subfolder="Transcoded", only_kinds=("video",))


def _bgr(color: Any, name: str) -> tuple[int, int, int]:
    c = check_color(color, name)
    return (c[2], c[1], c[0])


def normalized(images: list[np.ndarray], method: str, pad_rgb: tuple[int, int, int]) -> list[np.ndarray]:
    """Images brought to one size: centre-cropped to the smallest width and height
    (``crop``), or centred on a ``pad_rgb`` canvas of the largest (``pad``)."""
    hs, ws = [i.shape[0] for i in images], [i.shape[1] for i in images]
    out = []
    if method == "crop":
        h, w = min(hs), min(ws)
        for img in images:
            y, x = (img.shape[0] - h) // 2, (img.shape[1] - w) // 2
            out.append(np.ascontiguousarray(img[y:y + h, x:x + w]))
    else:
        h, w = max(hs), max(ws)
        for img in images:
            canvas = solid_color((h, w), pad_rgb)
            y, x = (h - img.shape[0]) // 2, (w - img.shape[1]) // 2
            canvas[y:y + img.shape[0], x:x + img.shape[1]] = img
            out.append(canvas)
    return out


def normalize_image_sizes(input_dir: str | os.PathLike[str], method: Any = NORMALIZE_IMAGES_CROP,
                          pad_color: tuple[int, int, int] = (255, 255, 255), with_sub_dirs: bool = False,
                          output_dir: str | os.PathLike[str] | None = None, in_place: bool = False,
                          overwrite: bool = False) -> list[Path]:
    """Bring a folder of images to one size (crop to the smallest or pad to the largest).

    Writes to ``output_dir/Normalized/``; ``output_dir`` must be given (PyFAME never writes
    into an input folder on its own), unless ``in_place=True`` is given explicitly to replace
    the originals. ``pad_color`` is BGR.

    Every output path is checked before any image is read
    (:func:`~pyfame.pipeline.output_policy.claim_output`): inside ``output_dir``, never an
    input, and no file already there unless ``overwrite=True`` (these outputs have no
    sidecar, so an existing file is never known to be an earlier result: it is refused with
    ``OutputExistsError`` naming it).

    Examples
    --------
    >>> # normalize_image_sizes("faces/", method="pad", output_dir="out/")
    """
    folder = check_existing_path(input_dir, "input_dir")
    if not folder.is_dir():
        raise PyfameValueError(f"input_dir: {folder} must be a folder of images")
    name = check_choice(method, "method", options(NORMALIZE_METHOD_NAMES))
    pad_rgb = _bgr(pad_color, "pad_color")
    check_bool(with_sub_dirs, "with_sub_dirs")
    check_bool(in_place, "in_place")
    check_bool(overwrite, "overwrite")
    if in_place and output_dir is not None:
        raise PyfameValueError("in_place=True and output_dir cannot both be given", param="in_place")
    if not in_place and output_dir is None:
        raise PyfameValueError("normalize_image_sizes needs output_dir= (PyFAME never writes into the input folder "
                               "unless in_place=True replaces the originals)", param="output_dir")
    root, files = find_inputs(folder, with_sub_dirs, skip=folder / "Normalized")
    files = [f for f in files if f.suffix.lower() in {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}]
    if not files:
        raise PyfameValueError(f"input_dir: {folder} holds no images")
    if in_place:  # the originals replaced, as asked explicitly
        plan = OutputFolder(folder, overwrite=True, param="in_place")
        targets = [plan.claim(f) for f in files]
    else:
        base = check_output_dir(output_dir, "output_dir")
        plan = OutputFolder(base, files, overwrite=overwrite)
        targets = [plan.claim(base / "Normalized" / f.relative_to(root)) for f in files]
    images = normalized([read_image(f) for f in files], name, pad_rgb)
    with OutputGroup() as group:
        for target, img in zip(targets, images):
            write_image(group.temp_for(target), img, image_format=target.suffix, atomic=False)
        group.commit()
    return targets


def moviefy_images(input_dir: str | os.PathLike[str], output_dir: str | os.PathLike[str], output_filename: str,
                   fps: float = 30, repeat_duration: float = 1000, blend_images: bool = True,
                   blended_frames_prop: float = 0.2, normalize: bool = False,
                   normalization_method: Any = NORMALIZE_IMAGES_CROP, pad_color: tuple[int, int, int] = (255, 255, 255),
                   with_sub_dirs: bool = False, overwrite: bool = False) -> Path:
    """Turn a folder of stills (in name order) into one MP4: each held ``repeat_duration``
    ms, cross-faded into the next over ``blended_frames_prop`` of its frames when
    ``blend_images``. Images of different sizes need ``normalize=True``.

    The video's path is checked before any image is read
    (:func:`~pyfame.pipeline.output_policy.claim_output`): a plain name inside
    ``output_dir``, and no file already there unless ``overwrite=True`` (the video has no
    sidecar, so an existing file is refused with ``OutputExistsError`` naming it).

    Examples
    --------
    >>> # moviefy_images("faces/", "out/", "faces.mp4", fps=25, repeat_duration=2000)
    """
    folder = check_existing_path(input_dir, "input_dir")
    out_dir = check_output_dir(output_dir, "output_dir")
    if not isinstance(output_filename, str) or not output_filename.strip() or Path(output_filename).name != \
            output_filename or output_filename.strip() in (".", ".."):
        raise PyfameValueError(f"output_filename must be a plain file name (no folders), got {output_filename!r}",
                               param="output_filename")
    target = out_dir / (output_filename if output_filename.lower().endswith(".mp4") else output_filename + ".mp4")
    check_bool(overwrite, "overwrite")
    rate = check_float(fps, "fps", low=0.0, low_inclusive=False, high=1000.0)
    hold = check_float(repeat_duration, "repeat_duration", low=0.0, low_inclusive=False)
    check_bool(blend_images, "blend_images")
    prop = check_float(blended_frames_prop, "blended_frames_prop", low=0.0, high=1.0)
    check_bool(normalize, "normalize")
    check_bool(with_sub_dirs, "with_sub_dirs")
    name = check_choice(normalization_method, "normalization_method", options(NORMALIZE_METHOD_NAMES))
    _, files = find_inputs(folder, with_sub_dirs)
    files = [f for f in files if f.suffix.lower() in {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}]
    if not files:
        raise PyfameValueError(f"input_dir: {folder} holds no images")
    OutputFolder(out_dir, files, overwrite=overwrite, param="output_filename").claim(target)
    images = [read_image(f) for f in files]
    if len({i.shape for i in images}) > 1:
        if not normalize:
            raise ImageShapeError(f"input_dir: the images in {folder} differ in size; pass normalize=True")
        images = normalized(images, name, _bgr(pad_color, "pad_color"))
    per_image = max(1, int(round(rate * hold / 1000.0)))
    blend = int(round(per_image * prop)) if blend_images else 0
    h, w = images[0].shape[:2]
    fraction = Fraction(rate).limit_denominator(1001)
    index = 0
    with VideoSink(target, w, h, fraction) as sink:
        for k, img in enumerate(images):
            nxt = images[k + 1] if k + 1 < len(images) else None
            for i in range(per_image):
                frame = img
                if nxt is not None and blend and i >= per_image - blend:
                    a = (i - (per_image - blend) + 1) / (blend + 1)
                    frame = np.clip(np.rint(img * (1 - a) + nxt * a), 0, 255).astype(np.uint8)
                sink.write(Frame(index, index / float(fraction), frame))
                index += 1
    return target

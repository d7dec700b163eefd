"""The seed API's occlusion functions over files and folders."""

from __future__ import annotations

import os
from typing import Any

from pyfame.core.occlusion.blur_layer import Blur
from pyfame.core.occlusion.bubbles_layer import Bubbles
from pyfame.core.occlusion.mask_layer import Mask
from pyfame.core.occlusion.noise_layer import Noise
from pyfame.core.occlusion.occlusion_layer import Occlusion
from pyfame.core.seed_runner import (
    check_common,
    reject_unknown_keywords,
    run_seed_function,
    split_run_keywords,
)
from pyfame.pipeline.file_pass import FileResult
from pyfame.face.regions import BOTH_EYES_PATH, FACE_OVAL_MASK
from pyfame.utils.predefined_constants import (
    BLUR_METHOD_GAUSSIAN,
    NOISE_METHOD_PIXELATE,
    OCCLUSION_FILL_BLACK,
    OCCLUSION_FILL_NAMES,
    options,
)
from pyfame.validation import check_choice, check_color, check_seed


def bgr_to_rgb(color: Any, name: str, color_order: str = "bgr") -> tuple[int, int, int]:
    """A seed-API colour (BGR unless ``color_order="rgb"``) as RGB."""
    c = check_color(color, name)
    order = check_choice(color_order, "color_order", {"bgr": "bgr", "rgb": "rgb"})
    return (c[2], c[1], c[0]) if order == "bgr" else c


def _common(args: dict[str, Any]) -> None:
    check_common(args["input_dir"], args["output_dir"], args["with_sub_dirs"],
                 args["min_detection_confidence"], args["min_tracking_confidence"])


def _run(operation: str, subfolder: str, args: dict[str, Any], layer: Any, run_kwargs: dict[str, Any],
         image_format: str | None = None) -> list[FileResult]:
    return run_seed_function(
        operation, subfolder, args["input_dir"], args["output_dir"], [layer],
        with_sub_dirs=args["with_sub_dirs"], min_detection_confidence=args["min_detection_confidence"],
        min_tracking_confidence=args["min_tracking_confidence"], run_kwargs=run_kwargs, image_format=image_format,
    )


def mask_face_region(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    mask_type: Any = FACE_OVAL_MASK,
    with_sub_dirs: bool = False,
    background_color: tuple[int, int, int] = (255, 255, 255),
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    **kwargs: Any,
) -> list[FileResult]:
    """Keep face regions and paint the rest ``background_color``; writes ``output_dir/Masked/``.

    Parameters
    ----------
    mask_type : mask type, path, name, or a list of them
        Regions to keep (union).
    background_color : tuple of int
        BGR (the seed API's order; pass ``color_order="rgb"`` for RGB).
    **kwargs
        ``transparent=True`` writes stills as PNG with an alpha channel (green-screen use;
        videos cannot be transparent); ``feather_px``; ``color_order``; pipeline options.

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.mask_face_region("faces/", "out/", mask_type=[pf.EYES_MASK, pf.MOUTH_MASK])
    """
    args = locals()
    _common(args)
    run_kwargs, rest = split_run_keywords(kwargs)
    transparent = rest.pop("transparent", False)
    color = bgr_to_rgb(background_color, "background_color", rest.pop("color_order", "bgr"))
    layer = Mask(mask_type, color, transparent=transparent, feather_px=rest.pop("feather_px", 0.0))
    reject_unknown_keywords("mask_face_region", rest)
    return _run("mask_face_region", "Masked", args, layer, run_kwargs, "png" if layer.transparent else None)


def occlude_face_region(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    landmarks_to_occlude: Any = (BOTH_EYES_PATH,),
    occlusion_fill: Any = OCCLUSION_FILL_BLACK,
    with_sub_dirs: bool = False,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    **kwargs: Any,
) -> list[FileResult]:
    """Occlude face regions; writes ``output_dir/Occluded/``.

    ``occlusion_fill``: ``OCCLUSION_FILL_BLACK``, ``OCCLUSION_FILL_MEAN`` (the face's mean
    skin colour), ``OCCLUSION_FILL_BAR`` (a bar spanning each region that turns with the
    head) or ``"bubbles"`` (see :class:`~pyfame.core.occlusion.bubbles_layer.Bubbles`:
    ``n_bubbles``, ``bubble_sigma``, ``sigma_units``, ``redraw``, ``rand_seed``).
    ``fill_color`` (BGR, or RGB with ``color_order="rgb"``) colours the fill or the bar.

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.occlude_face_region("faces/", "out/", [pf.BOTH_EYES_PATH], pf.OCCLUSION_FILL_BAR)
    """
    args = locals()
    _common(args)
    run_kwargs, rest = split_run_keywords(kwargs)
    order = rest.pop("color_order", "bgr")
    fill_color = rest.pop("fill_color", None)
    fill_rgb = None if fill_color is None else bgr_to_rgb(fill_color, "fill_color", order)
    if isinstance(occlusion_fill, str) and occlusion_fill.strip().lower() == "bubbles":
        seed = check_seed(rest.pop("rand_seed", None))
        if seed is not None:
            run_kwargs.setdefault("seed", seed)
        layer: Any = Bubbles(rest.pop("n_bubbles", 10), rest.pop("bubble_sigma", 0.06),
                             rest.pop("sigma_units", "face"), fill_rgb or rest.pop("fill", (128, 128, 128)),
                             rest.pop("redraw", False))
    else:
        check_choice(occlusion_fill, "occlusion_fill", {**options(OCCLUSION_FILL_NAMES), "bubbles": "bubbles"})
        layer = Occlusion(landmarks_to_occlude, occlusion_fill, fill_rgb, rest.pop("bar_margin", 0.15))
    reject_unknown_keywords("occlude_face_region", rest)
    return _run("occlude_face_region", "Occluded", args, layer, run_kwargs)


def blur_face_region(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    blur_method: Any = BLUR_METHOD_GAUSSIAN,
    k_size: int = 15,
    with_sub_dirs: bool = False,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    **kwargs: Any,
) -> list[FileResult]:
    """Blur inside the face only; writes ``output_dir/Blurred/``.

    ``blur_method``: ``"gaussian"``, ``"average"`` or ``"median"``; ``k_size`` odd for
    gaussian and median. ``landmark_regions`` (default the face oval) and ``feather_px``
    may be given as keywords.

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.blur_face_region("faces/", "out/", blur_method="median", k_size=11)
    """
    args = locals()
    _common(args)
    run_kwargs, rest = split_run_keywords(kwargs)
    layer = Blur(blur_method, k_size, rest.pop("landmark_regions", FACE_OVAL_MASK), rest.pop("feather_px", 0.0))
    reject_unknown_keywords("blur_face_region", rest)
    return _run("blur_face_region", "Blurred", args, layer, run_kwargs)


def apply_noise(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    noise_method: Any = NOISE_METHOD_PIXELATE,
    pixel_size: int = 32,
    noise_prob: float = 0.5,
    rand_seed: int | None = None,
    mean: float = 0.0,
    standard_dev: float = 0.5,
    mask_type: Any = FACE_OVAL_MASK,
    with_sub_dirs: bool = False,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    **kwargs: Any,
) -> list[FileResult]:
    """Pixelate, or add salt-and-pepper or Gaussian noise (pixel-value units, 0-255);
    restricted to ``mask_type`` (None: the whole frame). Writes ``output_dir/Noise_Added/``.

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.apply_noise("faces/", "out/", noise_method="gaussian", standard_dev=20, rand_seed=1)
    """
    args = locals()
    _common(args)
    seed = check_seed(rand_seed)
    run_kwargs, rest = split_run_keywords(kwargs)
    if seed is not None:
        run_kwargs.setdefault("seed", seed)
    layer = Noise(noise_method, pixel_size, noise_prob, mean, standard_dev, mask_type, rest.pop("feather_px", 0.0))
    reject_unknown_keywords("apply_noise", rest)
    return _run("apply_noise", "Noise_Added", args, layer, run_kwargs)

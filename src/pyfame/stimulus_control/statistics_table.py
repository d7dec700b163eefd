"""Before/after statistics of a stimulus set, per image and per frame, as a table and a plot.

Columns of :func:`before_after_table` (luminance in the space's unit, L* by default, measured in
the mask, weighted by it):

``mean``, ``sd``
    Mask-weighted mean and standard deviation of luminance.
``rms_contrast``
    ``sd / mean``: the RMS contrast relative to the mean luminance (as in Bex & Makous, 2002);
    the SD alone is the ``sd`` column.
``histogram_emd``
    Earth mover's distance between the image's quantised-luminance histogram (pixels of
    weight >= 0.5) and the target histogram, in luminance units: the mean distance a unit of
    pixel mass must move, ``sum_k |CDF_a(k) - CDF_b(k)| (level_{k+1} - level_k)``. 0 for equal
    histograms; a uniform shift of every pixel by ``d`` gives ``d``. The target is the mean
    normalised histogram of the ``before`` images unless one is given (e.g. the
    ``MatchResult.target["histogram"]`` a set was matched to).
``spectral_slope``
    Slope of log amplitude against log frequency of the mask-windowed luminance (see
    :func:`~pyfame.stimulus_control.amplitude_spectrum.spectral_slope`).
``ssim``
    For ``after`` rows: SSIM of the output's luminance against its input's (Wang et al. 2004;
    Gaussian window of sigma 1.5 px, K1 = 0.01, K2 = 0.03, the data range being the space's
    full range, 100 for L*), averaged over the mask's weights. NaN for ``before`` rows.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> ims = [rng.integers(0, 256, (32, 32, 3), dtype=np.uint8) for _ in range(2)]
>>> table = before_after_table(ims, [np.clip(im.astype(int) + 20, 0, 255).astype(np.uint8) for im in ims])
>>> list(table.columns)
['image', 'frame', 'stage', 'mean', 'sd', 'rms_contrast', 'histogram_emd', 'spectral_slope', 'ssim']
>>> table["stage"].tolist()
['before', 'after', 'before', 'after']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import pandas as pd

from pyfame.errors import ImageShapeError, PyfameTypeError, PyfameValueError
from pyfame.stimulus_control.amplitude_spectrum import masked_spectrum, spectral_slope
from pyfame.stimulus_control.luminance import (
    RANGES,
    UNITS,
    check_image,
    check_mask,
    check_space,
    luminance,
    luminance_levels,
    weighted_mean_sd,
)
from pyfame.stimulus_control.statistics_matching import quantised_histogram

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLUMNS = ["image", "frame", "stage", "mean", "sd", "rms_contrast", "histogram_emd", "spectral_slope", "ssim"]
SSIM_SIGMA = 1.5
SSIM_K1, SSIM_K2 = 0.01, 0.03


def ssim_map(a: np.ndarray, b: np.ndarray, data_range: float = 255.0, sigma: float = SSIM_SIGMA) -> np.ndarray:
    """Per-pixel SSIM of two single-channel images (float32 ``(H, W)``).

    Wang, Bovik, Sheikh & Simoncelli (2004): local means, variances and covariance under a
    Gaussian window of ``sigma`` pixels (OpenCV's ``GaussianBlur``, truncated at 3.5 sigma
    and reflected at the border, as scikit-image does), population (not sample) variances,
    ``C1 = (0.01 R)^2``, ``C2 = (0.03 R)^2`` with ``R = data_range``.

    Examples
    --------
    >>> x = np.random.default_rng(0).random((16, 16)).astype(np.float32)
    >>> float(ssim_map(x, x, 1.0).min())
    1.0
    """
    x = np.asarray(a, np.float32)
    y = np.asarray(b, np.float32)
    if x.shape != y.shape or x.ndim != 2:
        raise ImageShapeError(f"ssim needs two single-channel images of one shape, got {x.shape} and {y.shape}")
    radius = int(3.5 * sigma + 0.5)
    size = (2 * radius + 1, 2 * radius + 1)

    def blur(v: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(v, size, sigma, borderType=cv2.BORDER_REFLECT)

    mx, my = blur(x), blur(y)
    vx = blur(x * x) - mx * mx
    vy = blur(y * y) - my * my
    cxy = blur(x * y) - mx * my
    c1 = (SSIM_K1 * data_range) ** 2
    c2 = (SSIM_K2 * data_range) ** 2
    return ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))


def ssim(
    a: np.ndarray,
    b: np.ndarray,
    data_range: float = 255.0,
    mask: np.ndarray | None = None,
    sigma: float = SSIM_SIGMA,
) -> float:
    """Mean SSIM of two single-channel images: over the mask's weights, or, with no mask,
    over the image less a border of ``int(3.5 sigma + 0.5)`` pixels (scikit-image's
    ``structural_similarity(..., gaussian_weights=True, use_sample_covariance=False)``).

    Examples
    --------
    >>> x = np.random.default_rng(0).random((32, 32)).astype(np.float32)
    >>> round(ssim(x, x * 0.5, data_range=1.0), 3)
    0.642
    """
    full = ssim_map(a, b, data_range, sigma)
    if mask is None:
        pad = int(3.5 * sigma + 0.5)
        inner = full[pad:-pad, pad:-pad] if min(full.shape) > 2 * pad else full
        return float(inner.astype(np.float64).mean())
    w = check_mask(mask, full.shape).astype(np.float64)
    if not w.sum() > 0:
        raise PyfameValueError("mask: the mask is empty (its weights sum to 0)")
    return float((full * w).sum() / w.sum())


def histogram_distance(a: np.ndarray, b: np.ndarray, space: str = "lab") -> float:
    """Earth mover's distance between two quantised-luminance histograms (256 counts each),
    in luminance units (see the module).

    Examples
    --------
    >>> h = np.zeros(256); h[10] = 5
    >>> g = np.zeros(256); g[20] = 1
    >>> round(histogram_distance(h, g, "luma"), 6)
    10.0
    """
    pa = np.asarray(a, np.float64)
    pb = np.asarray(b, np.float64)
    if pa.shape != (256,) or pb.shape != (256,) or not (pa.sum() > 0 and pb.sum() > 0):
        raise PyfameValueError("histograms must be 256 non-negative counts, not all 0")
    cdf = np.cumsum(pa / pa.sum()) - np.cumsum(pb / pb.sum())
    steps = np.diff(luminance_levels(space).astype(np.float64))
    return float(np.abs(cdf[:-1]) @ steps)


def image_statistics(
    image: np.ndarray,
    mask: np.ndarray | None = None,
    space: str = "lab",
    target_histogram: np.ndarray | None = None,
) -> dict[str, float]:
    """``mean``, ``sd``, ``rms_contrast``, ``histogram_emd`` (NaN without a target) and
    ``spectral_slope`` of one image in its mask.

    Examples
    --------
    >>> stats = image_statistics(np.full((8, 8), 128, np.uint8))
    >>> round(stats["mean"], 2), stats["sd"], stats["rms_contrast"]
    (53.58, 0.0, 0.0)
    """
    space = check_space(space)
    check_image(image)
    weights = check_mask(mask, image.shape)
    lum = luminance(image, space)
    return _statistics(lum, weights, space, target_histogram)


def _statistics(lum: np.ndarray, weights: np.ndarray, space: str, target: np.ndarray | None) -> dict[str, float]:
    mean, sd = weighted_mean_sd(lum, weights)
    hist = quantised_histogram(lum, weights, space)
    emd = histogram_distance(hist, target, space) if target is not None and hist.sum() > 0 else float("nan")
    amplitude, _ = masked_spectrum(lum, weights)
    return {
        "mean": mean,
        "sd": sd,
        "rms_contrast": sd / mean if mean > 0 else float("nan"),
        "histogram_emd": emd,
        "spectral_slope": spectral_slope(amplitude),
    }


def before_after_table(
    before: Sequence[np.ndarray],
    after: Sequence[np.ndarray] | None = None,
    masks: np.ndarray | Sequence[np.ndarray | None] | None = None,
    space: str = "lab",
    target_histogram: np.ndarray | None = None,
    labels: Sequence[str] | None = None,
    frames: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One row per image (or frame) and stage: the statistics before and after a manipulation.

    Parameters
    ----------
    before : sequence of numpy.ndarray
        The inputs, uint8, one shape per pair.
    after : sequence of numpy.ndarray, optional
        The outputs, one per input and of its shape; ``None`` for a ``before`` table only.
    masks : array, sequence or None
        One mask per image (or one shared, or ``None``): where the statistics are measured.
    space : {"lab", "luma"}
    target_histogram : numpy.ndarray, optional
        256 counts or proportions; the mean normalised histogram of ``before`` by default.
    labels : sequence of str, optional
        The ``image`` column (file names, clip names); ``"0"``, ``"1"``, ... by default.
    frames : sequence of int, optional
        The ``frame`` column, for frames of videos (several rows may share a label); 0 by
        default.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``before`` then ``after`` for each image, in input order.

    Examples
    --------
    >>> im = np.random.default_rng(2).integers(0, 256, (24, 24), dtype=np.uint8)
    >>> t = before_after_table([im], [im], labels=["face"])
    >>> float(t.loc[1, "ssim"]), float(t.loc[0, "histogram_emd"])
    (1.0, 0.0)
    """
    space = check_space(space)
    items = _image_list(before, "before")
    outs = None if after is None else _image_list(after, "after")
    if outs is not None and len(outs) != len(items):
        raise PyfameValueError(f"after must hold one image per input ({len(items)}), got {len(outs)}")
    for i, im in enumerate(items):
        if outs is not None and outs[i].shape[:2] != im.shape[:2]:
            raise ImageShapeError(f"after[{i}] has shape {outs[i].shape}, its input {im.shape}")
    weights = _mask_list(masks, items)
    names = [str(i) for i in range(len(items))] if labels is None else [str(v) for v in labels]
    frame_ids = [0] * len(items) if frames is None else [int(v) for v in frames]
    if len(names) != len(items) or len(frame_ids) != len(items):
        raise PyfameValueError("labels and frames must hold one value per image")

    lums = [luminance(im, space) for im in items]
    if target_histogram is None:
        hists = [quantised_histogram(lum, w, space) for lum, w in zip(lums, weights)]
        target = np.mean([h / h.sum() for h in hists if h.sum() > 0], axis=0) if any(h.sum() > 0 for h in hists) else None
    else:
        target = np.asarray(target_histogram, np.float64)
        if target.shape != (256,) or (target < 0).any() or not target.sum() > 0:
            raise PyfameValueError("target_histogram must be 256 non-negative counts or proportions, not all 0")
    rows: list[dict[str, Any]] = []
    for i, lum in enumerate(lums):
        rows.append({"image": names[i], "frame": frame_ids[i], "stage": "before",
                     **_statistics(lum, weights[i], space, target), "ssim": float("nan")})
        if outs is not None:
            out_lum = luminance(outs[i], space)
            rows.append({"image": names[i], "frame": frame_ids[i], "stage": "after",
                         **_statistics(out_lum, weights[i], space, target),
                         "ssim": ssim(out_lum, lum, RANGES[space], weights[i])})
    return pd.DataFrame(rows, columns=COLUMNS)


def _image_list(images: Any, name: str) -> list[np.ndarray]:
    if isinstance(images, np.ndarray) or not isinstance(images, Sequence) or not len(images):
        raise PyfameTypeError(f"{name} must be a non-empty list of images")
    return [check_image(im, f"{name}[{i}]") for i, im in enumerate(images)]


def _mask_list(masks: Any, images: list[np.ndarray]) -> list[np.ndarray]:
    if masks is None or isinstance(masks, np.ndarray):
        return [check_mask(masks, im.shape, "masks") for im in images]
    if len(masks) != len(images):
        raise PyfameValueError(f"masks must hold one mask per image ({len(images)}), got {len(masks)}")
    return [check_mask(m, im.shape, f"masks[{i}]") for i, (m, im) in enumerate(zip(masks, images))]


def plot_statistics(table: pd.DataFrame, path: str | Path | None = None, space: str = "lab") -> Figure:
    """A figure of the table: one panel per statistic, before and after for each image (or,
    for videos, over frames); saved as PNG when ``path`` is given. Uses the Agg backend.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> im = np.random.default_rng(2).integers(0, 256, (24, 24), dtype=np.uint8)
    >>> fig = plot_statistics(before_after_table([im, im // 2], [im // 2, im // 2]))
    >>> len(fig.axes)
    6
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure  # noqa: F811 (the run-time import of the hint's class)

    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise PyfameValueError(f"table: not a statistics table (missing columns {missing})")
    space = check_space(space)
    unit = UNITS[space]
    panels = [
        ("mean", f"mean luminance ({unit})"),
        ("sd", f"SD of luminance ({unit})"),
        ("rms_contrast", "RMS contrast (SD / mean)"),
        ("histogram_emd", f"histogram EMD to target ({unit})"),
        ("spectral_slope", "spectral slope (log A / log f)"),
        ("ssim", "SSIM, output vs input"),
    ]
    fig = Figure(figsize=(12, 6.5), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 3).ravel()
    is_video = table.groupby("image")["frame"].nunique().max() > 1
    colours = {"before": "#7f7f7f", "after": "#d62728"}
    images = list(dict.fromkeys(table["image"]))
    for ax, (column, title) in zip(axes, panels):
        for stage, rows in table.groupby("stage", sort=False):
            if rows[column].isna().all():
                continue
            if is_video:
                for name, clip in rows.groupby("image", sort=False):
                    ax.plot(clip["frame"], clip[column], color=colours.get(stage, "k"), alpha=0.7,
                            label=f"{stage}" if name == images[0] else None)
                ax.set_xlabel("frame")
            else:
                x = [images.index(v) for v in rows["image"]]
                ax.plot(x, rows[column], "o", color=colours.get(stage, "k"), label=stage)
        if not is_video:
            ax.set_xticks(range(len(images)), images, rotation=45 if len(images) > 6 else 0, fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    if path is not None:
        from pyfame.io.atomic_write import atomic_output

        target = Path(path)
        with atomic_output(target) as tmp:
            fig.savefig(tmp, format="png", dpi=100)
    return fig


__all__ = [
    "COLUMNS",
    "before_after_table",
    "histogram_distance",
    "image_statistics",
    "plot_statistics",
    "ssim",
    "ssim_map",
]

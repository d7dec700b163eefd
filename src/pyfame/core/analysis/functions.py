"""The seed API's analysis functions: colour means, optical flow, landmark tables."""

from __future__ import annotations

import os
from typing import Any

from pyfame.core.analysis.color_means_probe import DEFAULT_REGIONS, ColorMeansProbe
from pyfame.core.analysis.optical_flow import OpticalFlow
from pyfame.core.analysis.plots import plot_table
from pyfame.core.analysis.landmark_probe import LandmarkProbe
from pyfame.core.seed_runner import (
    check_common,
    reject_unknown_keywords,
    run_seed_function,
    split_run_keywords,
)
from pyfame.errors import PyfameValueError
from pyfame.face.tracker_settings import TrackerSettings
from pyfame.pipeline.file_pass import FileResult
from pyfame.pipeline.measure import measure
from pyfame.pipeline.run_options import RunOptions
from pyfame.utils.predefined_constants import COLOR_SPACE_RGB, SPARSE_OPTICAL_FLOW
from pyfame.validation import check_bool


def _options(run_kwargs: dict[str, Any], det: float, track: float, **tracker: Any) -> RunOptions:
    run_kwargs.pop("workers", None)  # taken by measure(), not a run option
    settings = TrackerSettings(num_faces=run_kwargs.pop("num_faces", 1), min_detection_confidence=det,
                               min_tracking_confidence=track, smoothing=run_kwargs.pop("smoothing", 0.0), **tracker)
    return RunOptions(tracker=settings, **run_kwargs)


def _plots(results: list[FileResult], plot: bool) -> None:
    if plot:
        for r in results:
            for table in r.tables_written:
                plot_table(table)


def extract_face_color_means(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    color_space: Any = COLOR_SPACE_RGB,
    with_sub_dirs: bool = False,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    landmark_regions: Any = DEFAULT_REGIONS,
    sampling_frequency: float = 1000.0,
    plot: bool = False,
    **kwargs: Any,
) -> list[FileResult]:
    """Mean and SD of each colour channel per face region, sampled every
    ``sampling_frequency`` ms (one sample for a still). Writes one CSV per input to
    ``output_dir/Color_Channel_Means/`` (layout: :class:`ColorMeansProbe`), and a PNG plot
    beside it with ``plot=True``.

    ``color_space``: ``COLOR_SPACE_RGB``, ``_HSV``, ``_GRAYSCALE``, ``_LAB``, ``_YCRCB`` or
    names. Default regions: face oval, cheeks, nose, chin.

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.extract_face_color_means("clips/", "out/", color_space="lab", sampling_frequency=100)
    """
    check_common(input_dir, output_dir, with_sub_dirs, min_detection_confidence, min_tracking_confidence)
    check_bool(plot, "plot")
    probe = ColorMeansProbe(color_space, landmark_regions, sampling_frequency)
    run_kwargs, rest = split_run_keywords(kwargs)
    workers = run_kwargs.get("workers")
    reject_unknown_keywords("extract_face_color_means", rest)
    options = _options(run_kwargs, min_detection_confidence, min_tracking_confidence)
    results = measure(input_dir, output_dir, [probe], "Color_Channel_Means", options,
                      with_sub_dirs=with_sub_dirs, operation="extract_face_color_means", workers=workers)
    _plots(results, plot)
    return results


def get_optical_flow(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    optical_flow_type: Any = SPARSE_OPTICAL_FLOW,
    landmarks_to_track: list[int] | None = None,
    max_corners: int = 20,
    corner_quality_lvl: float = 0.3,
    min_corner_distance: int = 7,
    block_size: int = 5,
    win_size: tuple[int, int] = (15, 15),
    max_pyr_lvl: int = 2,
    pyr_scale: float = 0.5,
    max_iter: int = 10,
    lk_accuracy_thresh: float = 0.03,
    poly_sigma: float = 1.2,
    point_color: tuple[int, int, int] = (255, 255, 255),
    point_radius: int = 5,
    vector_color: tuple[int, int, int] | None = None,
    with_sub_dirs: bool = False,
    csv_sample_freq: float = 1000.0,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    plot: bool = False,
    **kwargs: Any,
) -> list[FileResult]:
    """Sparse (Lucas-Kanade) or dense (Farneback) optical flow. Writes to
    ``output_dir/Optical_Flow/`` a video drawing the flow and ``<name>_optical_flow.csv``
    sampled every ``csv_sample_freq`` ms (see :class:`OpticalFlow`). Colours are BGR, as in
    the seed API. Stills have no motion: a video input is required.

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.get_optical_flow("clip.mp4", "out/", optical_flow_type=pf.DENSE_OPTICAL_FLOW)
    """
    check_common(input_dir, output_dir, with_sub_dirs, min_detection_confidence, min_tracking_confidence)
    check_bool(plot, "plot")
    from pathlib import Path

    from pyfame.core.occlusion.functions import bgr_to_rgb
    from pyfame.io.media_kinds import media_kind

    if Path(input_dir).is_file() and media_kind(input_dir) == "image":
        raise PyfameValueError(f"input_dir: optical flow needs a video, {input_dir} is a still image")
    flow = OpticalFlow(
        optical_flow_type, landmarks_to_track, max_corners, corner_quality_lvl, min_corner_distance, block_size,
        win_size, max_pyr_lvl, pyr_scale, max_iter, lk_accuracy_thresh, poly_sigma,
        bgr_to_rgb(point_color, "point_color"),
        point_radius, None if vector_color is None else bgr_to_rgb(vector_color, "vector_color"),
        csv_sample_freq=csv_sample_freq,
    )
    run_kwargs, rest = split_run_keywords(kwargs)
    reject_unknown_keywords("get_optical_flow", rest)
    results = run_seed_function("get_optical_flow", "Optical_Flow", input_dir, output_dir, [flow], [flow.probe],
                                with_sub_dirs=with_sub_dirs, min_detection_confidence=min_detection_confidence,
                                min_tracking_confidence=min_tracking_confidence, run_kwargs=run_kwargs)
    for r in results:
        if r.output is not None:
            r.tables_written.append(r.output.with_name(f"{r.output.stem}_optical_flow.csv"))
    _plots(results, plot)
    return results


def extract_face_landmarks(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    with_sub_dirs: bool = False,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    table_format: str = "csv",
    blendshapes: bool = True,
    head_pose: bool = True,
    plot: bool = False,
    **kwargs: Any,
) -> list[FileResult]:
    """Per frame: the 478 landmarks (pixels and normalised), the 52 blendshape scores and
    head pose (yaw, pitch, roll in degrees; translation). One table per input in
    ``output_dir/Landmarks/`` (``table_format`` ``"csv"`` or ``"parquet"``).

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.extract_face_landmarks("clips/", "out/", table_format="parquet", plot=True)
    """
    check_common(input_dir, output_dir, with_sub_dirs, min_detection_confidence, min_tracking_confidence)
    for value, name in ((blendshapes, "blendshapes"), (head_pose, "head_pose"), (plot, "plot")):
        check_bool(value, name)
    if table_format not in ("csv", "parquet"):
        raise PyfameValueError(f"table_format must be 'csv' or 'parquet', got {table_format!r}")
    run_kwargs, rest = split_run_keywords(kwargs)
    workers = run_kwargs.get("workers")
    reject_unknown_keywords("extract_face_landmarks", rest)
    options = _options(run_kwargs, min_detection_confidence, min_tracking_confidence,
                       blendshapes=blendshapes, head_pose=head_pose)
    results = measure(input_dir, output_dir, [LandmarkProbe()], "Landmarks", options, with_sub_dirs=with_sub_dirs,
                      operation="extract_face_landmarks", table_format=table_format, workers=workers)
    _plots(results, plot)
    return results

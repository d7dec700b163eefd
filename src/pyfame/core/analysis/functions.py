"""The seed API's analysis functions, declared onto their probes and layers."""

from __future__ import annotations

from pyfame.core.analysis.color_means_probe import ColorMeansProbe
from pyfame.core.analysis.landmark_probe import LandmarkProbe
from pyfame.core.analysis.optical_flow import OpticalFlow
from pyfame.io.table_plots import plot_table
from pyfame.pipeline.seed_function import seed_function

__all__ = ["plot_table"]  # the seed functions below are found by their declarations

_TRACKING = ("min_detection_confidence", "min_tracking_confidence")

extract_face_color_means = seed_function(
    "extract_face_color_means", ColorMeansProbe,
    signature=("color_space", "with_sub_dirs", *_TRACKING, "landmark_regions", "sampling_frequency", "plot"),
    module=__name__,
    summary="Mean and SD of each colour channel per face region, sampled over time (one sample for a still); "
            "one table per input (layout: :class:`~pyfame.core.analysis.color_means_probe.ColorMeansProbe`).",
    example='extract_face_color_means("clips/", "out/", color_space="lab", sampling_frequency=100)')

get_optical_flow = seed_function(
    "get_optical_flow", OpticalFlow,
    signature=("optical_flow_type", "landmarks_to_track", "max_corners", "corner_quality_lvl",
               "min_corner_distance", "block_size", "win_size", "max_pyr_lvl", "pyr_scale", "max_iter",
               "lk_accuracy_thresh", "poly_sigma", "point_color", "point_radius", "vector_color", "with_sub_dirs",
               "csv_sample_freq", *_TRACKING),
    module=__name__,
    summary="Sparse (Lucas-Kanade) or dense optical flow (DIS by default, or Farneback; computed in the face's "
            "box by default): a video drawing the flow and ``<name>_optical_flow.csv`` sampled every "
            "``csv_sample_freq`` ms (see :class:`~pyfame.core.analysis.optical_flow.OpticalFlow`). "
            "Stills have no motion: videos only.",
    example='get_optical_flow("clip.mp4", "out/", optical_flow_type=pf.DENSE_OPTICAL_FLOW)')

extract_face_landmarks = seed_function(
    "extract_face_landmarks", LandmarkProbe,
    signature=("with_sub_dirs", *_TRACKING, "table_format", "blendshapes", "head_pose", "plot"),
    module=__name__,
    summary="Per frame: the 478 landmarks (pixels and normalised), the 52 blendshape scores and head pose "
            "(yaw, pitch, roll in degrees; translation); one table per input.",
    example='extract_face_landmarks("clips/", "out/", table_format="parquet", plot=True)')

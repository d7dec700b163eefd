"""The seed API's ``generate_point_light_display``, declared onto its layer."""

from __future__ import annotations

from pyfame.core.point_light_display.pld_layer import PointLightDisplay
from pyfame.face.regions import FACE_OVAL_PATH
from pyfame.pipeline.seed_function import seed_function

generate_point_light_display = seed_function(
    "generate_point_light_display", PointLightDisplay,
    signature=("landmark_regions", "point_density", "show_history", "history_mode", "history_window_msec",
               "history_color", "point_color", "with_sub_dirs", "min_detection_confidence",
               "min_tracking_confidence"),
    defaults={"landmark_regions": [FACE_OVAL_PATH]}, module=__name__,
    summary="Dots on the tracked landmarks of the regions over a flat background (a point-light display), "
            "with the dots' trajectories as a table beside each output (``frame, dot, landmark, x, y``).",
    example='generate_point_light_display("clip.mp4", "out/", point_density=0.5, show_history=True)')

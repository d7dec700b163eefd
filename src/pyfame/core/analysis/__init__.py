"""core.analysis: colour means, optical flow, landmark tables and their plots."""

from pyfame.core.analysis.color_means_probe import ColorMeansProbe
from pyfame.core.analysis.functions import extract_face_color_means, extract_face_landmarks, get_optical_flow
from pyfame.core.analysis.head_pose import head_pose
from pyfame.core.analysis.optical_flow import OpticalFlow, OpticalFlowProbe
from pyfame.core.analysis.plots import plot_table

__all__ = [
    "extract_face_color_means", "get_optical_flow", "extract_face_landmarks", "plot_table",
    "ColorMeansProbe", "OpticalFlow", "OpticalFlowProbe", "head_pose",
]

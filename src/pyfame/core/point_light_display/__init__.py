"""core.point_light_display: dots on the tracked landmarks."""

from pyfame.core.point_light_display.functions import generate_point_light_display
from pyfame.core.point_light_display.pld_layer import PointLightDisplay, PointLightProbe

__all__ = ["generate_point_light_display", "PointLightDisplay", "PointLightProbe"]

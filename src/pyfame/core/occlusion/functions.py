"""The seed API's occlusion functions, declared onto their layers."""

from __future__ import annotations

from pyfame.core.occlusion.blur_layer import Blur
from pyfame.core.occlusion.bubbles_layer import Bubbles
from pyfame.core.occlusion.mask_layer import Mask
from pyfame.core.occlusion.noise_layer import Noise
from pyfame.core.occlusion.occlusion_layer import Occlusion
from pyfame.face.regions import BOTH_EYES_PATH
from pyfame.pipeline.params import Choice, Param
from pyfame.pipeline.seed_function import Variant, seed_function
from pyfame.utils.predefined_constants import OCCLUSION_FILL_BLACK, OCCLUSION_FILL_NAMES

_TRACKING = ("min_detection_confidence", "min_tracking_confidence")

mask_face_region = seed_function(
    "mask_face_region", Mask, signature=("mask_type", "with_sub_dirs", "background_color", *_TRACKING),
    module=__name__,
    summary="Keep face regions and paint the rest ``background_color`` (several regions are kept together).",
    example='mask_face_region("faces/", "out/", mask_type=[pf.EYES_MASK, pf.MOUTH_MASK])')

occlude_face_region = seed_function(
    "occlude_face_region",
    {**{name: Variant(Occlusion, {"occlusion_fill": name}) for name in OCCLUSION_FILL_NAMES.values()},
     "bubbles": Variant(Bubbles)},
    selector=Param(Choice(OCCLUSION_FILL_NAMES, extra_names=("bubbles",)), default=OCCLUSION_FILL_BLACK,
                   name="occlusion_fill",
                   help="Black, the face's mean skin colour, a bar that turns with the head, or bubbles "
                        "(Gaussian apertures in an opaque field)."),
    signature=("landmarks_to_occlude", "occlusion_fill", "with_sub_dirs", *_TRACKING),
    defaults={"landmarks_to_occlude": [BOTH_EYES_PATH]}, keywords=("rand_seed",), module=__name__,
    summary="Occlude face regions: black, the face's mean colour, a custom colour, a bar that turns with the "
            "head, or bubbles.",
    example='occlude_face_region("faces/", "out/", [pf.BOTH_EYES_PATH], pf.OCCLUSION_FILL_BAR)')

blur_face_region = seed_function(
    "blur_face_region", Blur, signature=("blur_method", "k_size", "with_sub_dirs", *_TRACKING), module=__name__,
    summary="Blur inside face regions only (Gaussian, average or median).",
    example='blur_face_region("faces/", "out/", blur_method="median", k_size=11)')

apply_noise = seed_function(
    "apply_noise", Noise,
    signature=("noise_method", "pixel_size", "noise_prob", "rand_seed", "mean", "standard_dev", "mask_type",
               "with_sub_dirs", *_TRACKING),
    module=__name__,
    summary="Pixelate, or add salt-and-pepper or Gaussian noise, inside a mask (or over the whole frame with "
            "``mask_type=None``).",
    example='apply_noise("faces/", "out/", noise_method="gaussian", standard_dev=20, rand_seed=1)')

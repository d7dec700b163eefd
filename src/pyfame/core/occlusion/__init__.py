"""core.occlusion: masking, occlusion (fills, bars, bubbles), blurring and noise."""

from pyfame.core.occlusion.blur_layer import Blur
from pyfame.core.occlusion.bubbles_layer import Bubbles
from pyfame.core.occlusion.functions import apply_noise, blur_face_region, mask_face_region, occlude_face_region
from pyfame.core.occlusion.mask_layer import Mask
from pyfame.core.occlusion.noise_layer import Noise
from pyfame.core.occlusion.occlusion_layer import Occlusion

__all__ = [
    "mask_face_region", "occlude_face_region", "blur_face_region", "apply_noise",
    "Mask", "Occlusion", "Bubbles", "Blur", "Noise",
]

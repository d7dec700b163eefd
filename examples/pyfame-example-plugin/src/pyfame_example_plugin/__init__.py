"""An example PyFAME plugin: one layer, declared once, found through its entry point.

Examples
--------
>>> import numpy as np
>>> from pyfame_example_plugin import Sepia
>>> Sepia(amount=0.5)
Sepia(amount=0.5)
"""

from __future__ import annotations

import numpy as np

from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import FACE_SKIN_PATH
from pyfame.pipeline import Layer, Number, Param, Regions

#: The classic sepia matrix (RGB in, RGB out).
SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], np.float32)


class Sepia(Layer):
    """Tone face regions sepia, mixed with the original by ``amount``."""

    name = "sepia"
    subfolder = "Sepia"

    amount: float = Param(Number(0.0, 1.0), default=1.0, unit="fraction", help="How much of the sepia tone is used.")
    landmark_regions: list = Param(Regions(), default=FACE_SKIN_PATH, help="Where the tone is applied.",
                                   cli_names=("--region",))

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        mask = region_mask(faces, self.landmark_regions, frame.shape)
        if mask.empty:
            return frame
        roi = frame[mask.slices].astype(np.float32)
        toned = np.clip(roi @ SEPIA.T, 0, 255)
        mixed = roi + (toned - roi) * np.float32(self.amount)
        return mask.blend(frame, np.clip(np.rint(mixed), 0, 255).astype(np.uint8))


__all__ = ["Sepia"]

"""Spatial-frequency filtering of the face in cycles per face width, frame by frame."""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.face_frame import face_width
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import FACE_OVAL_PATH
from pyfame.pipeline.region_layer import feathering
from pyfame.pipeline.layer import Layer
from pyfame.pipeline.params import Boolean, Choice, Integer, Number, Optional, Param, Regions
from pyfame.stimulus_control.spatial_frequency import FILTERS, filter_spatial_frequency

CPF = "cycles per face width"
SCHYNS_OLIVA_1994 = ("Schyns, P. G., & Oliva, A. (1994). From blobs to boundary edges: Evidence for time- and "
                     "spatial-scale-dependent scene recognition. Psychological Science, 5(4), 195-200.")


class SpatialFrequencyFilter(Layer):
    """Low-, high- or band-pass the face's luminance in cycles per face width, on every frame.

    The face width is measured from the mesh on every frame (cheek to cheek, points 234 to
    454, :func:`pyfame.face.face_frame.face_width`), so a cut-off means the same thing on
    every face and every frame whatever the face's size in pixels. ``high_cpf`` alone is a
    low-pass, ``low_cpf`` alone a high-pass, both a band-pass; the cut-offs are half-power
    frequencies of soft filters (Gaussian by default, or Butterworth), as
    :func:`pyfame.stimulus_control.filter_spatial_frequency` defines them.

    **Where**: inside the face region (``regions``, the face oval by default, its edge
    feathered by ``feather_iod`` or ``feather_px``), the rest of the frame bit for bit. Each face is filtered on
    its region's box grown by one period of the lowest cut-off, so the filter sees the face's
    real surroundings rather than a reflection of its box. ``regions=None`` filters the whole
    frame (the cut-offs then in units of the mean width of the faces found). The region's
    mask-weighted mean luminance is kept, and its RMS contrast too with ``equate_rms``;
    chroma is kept (``grayscale=True`` makes the frame grey first, as spatial-frequency
    studies usually do).

    The command and experiment files default to a low-pass at 8 cpf; the seed-style function
    :func:`~pyfame.core.stimulus_control.functions.filter_spatial_frequency` asks for a
    cut-off (``low_cpf`` or ``high_cpf``).

    Examples
    --------
    >>> from pyfame.samples import sample_face
    >>> from pyfame.face.tracker import FaceTracker
    >>> face = sample_face()
    >>> with FaceTracker(mode="image") as tracker:
    ...     faces = tracker.track(face)
    >>> layer = SpatialFrequencyFilter(high_cpf=6.0)
    >>> blurred = layer.apply(face.copy(), faces, 0.0, None)
    >>> bool((blurred[0] == face[0]).all()), bool((blurred != face).any())
    (True, True)
    >>> SpatialFrequencyFilter(low_cpf=None, high_cpf=None)
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: high_cpf and low_cpf are both none: give high_cpf for a low-pass, low_cpf for a high-pass, or both for a band-pass
    """

    name = "filter_spatial_frequency"
    subfolder = "SF_Filtered"
    references = (SCHYNS_OLIVA_1994,)

    low_cpf: float | None = Param(Optional(Number(0.0, low_open=True)), default=None, unit=CPF,
                                  help="Lower half-power cut-off: what is above it is kept (alone, a high-pass).")
    high_cpf: float | None = Param(Optional(Number(0.0, low_open=True)), default=8.0, unit=CPF,
                                   help="Upper half-power cut-off: what is below it is kept (alone, a low-pass).")
    filter_type: str = Param(Choice(tuple(FILTERS)), default="gaussian",
                             help="Gaussian (no ringing) or Butterworth (flatter pass band, steeper edge).")
    order: int = Param(Integer(1, 16), default=2, help="Butterworth order (steepness); the Gaussian ignores it.")
    equate_rms: bool = Param(Boolean(), default=False,
                             help="Keep the region's RMS contrast (SD of luminance) as well as its mean.")
    regions: list | None = Param(Optional(Regions()), default=FACE_OVAL_PATH, cli_names=("--region",),
                                 help="Where the filter acts (none: the whole frame).")
    feather_px, feather_iod = feathering(0.1)
    grayscale: bool = Param(Boolean(), default=False, help="Make the whole frame grey (Rec. 601 luma) first.")
    space: str = Param(Choice(("lab", "luma")), default="lab",
                       help="The luminance filtered: CIELAB L* or Rec. 601 luma (chroma kept either way).")

    def validate(self) -> None:
        if self.low_cpf is None and self.high_cpf is None:
            raise PyfameValueError("high_cpf and low_cpf are both none: give high_cpf for a low-pass, low_cpf for a "
                                   "high-pass, or both for a band-pass", param="high_cpf")
        if self.low_cpf is not None and self.high_cpf is not None and self.low_cpf >= self.high_cpf:
            raise PyfameValueError(f"low_cpf ({self.low_cpf}) must be below high_cpf ({self.high_cpf}) for a "
                                   "band-pass", param="low_cpf")

    def covered_regions(self) -> list[Any] | None:
        return None if self.grayscale else self.regions

    def _check_width(self, width: float) -> None:
        for name in ("high_cpf", "low_cpf"):
            value = getattr(self, name)
            if value is not None and value >= width / 2.0:
                raise PyfameValueError(
                    f"{name} = {value:g} {CPF} is at or above the Nyquist limit of a face {width:.1f} px wide "
                    f"({width / 2.0:.1f} {CPF}); the face is too small in this frame for this cut-off", param=name)

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        work = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) if self.grayscale else frame
        options = {"kind": self.filter_type, "order": self.order, "equate_rms": self.equate_rms, "space": self.space}
        if self.regions is None:
            width = float(np.mean([face_width(lm) for lm in faces.landmarks]))
            self._check_width(width)
            out = filter_spatial_frequency(work, width, self.low_cpf, self.high_cpf, None, **options)
        else:
            out = work if work.flags.writeable else work.copy()  # in place, as layers may
            lowest = min(c for c in (self.low_cpf, self.high_cpf) if c is not None)
            for k in range(faces.count):
                one = faces.subset(k)
                width = face_width(one.landmarks[0])
                self._check_width(width)
                mask = region_mask(one, self.regions, frame.shape, self.feather_px, self.feather_iod)
                if mask.empty:
                    continue
                x0, y0, x1, y1 = mask.box  # grown by one period of the lowest cut-off: real surroundings
                margin = int(math.ceil(width / lowest))
                x0, y0 = max(x0 - margin, 0), max(y0 - margin, 0)
                x1, y1 = min(x1 + margin, frame.shape[1]), min(y1 + margin, frame.shape[0])
                box = np.ascontiguousarray(out[y0:y1, x0:x1])
                out[y0:y1, x0:x1] = filter_spatial_frequency(box, width, self.low_cpf, self.high_cpf,
                                                             mask.within((x0, y0, x1, y1)), **options)
        if out.ndim == 2:
            out = np.repeat(out[..., None], 3, axis=2)
        return out


__all__ = ["SpatialFrequencyFilter"]

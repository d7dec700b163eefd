"""Phase scrambling of the face: random Fourier phase, the amplitude spectrum kept."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from pyfame.face.faces import Faces
from pyfame.pipeline.layer import Layer, SourceInfo
from pyfame.pipeline.params import Boolean, Number, Param


class PhaseScramble(Layer):
    """Replace the Fourier phase of the face's bounding box by a mix with random phase.

    For each channel: ``F = |F| exp(i (phase + coherence * noise))``, with one random phase
    field ``noise`` (the phase of the FFT of seeded white noise, so the result is real and
    the mean, the zero frequency, is untouched) shared by the channels and kept for the whole
    video. ``coherence=0`` returns the input; ``1`` is fully scrambled. The amplitude
    spectrum of the box is preserved to within about 1% (see :meth:`scramble` for how values
    outside 0-255 are handled) and its mean exactly. On video the box is resampled to the
    first box's size for the FFT, so the same phase field applies as the face moves.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.PhaseScramble(coherence=0.8)
    """

    name = "phase_scramble"
    subfolder = "Scrambled"
    output_tag = "phase"
    references = ("Sadr, J., & Sinha, P. (2004). Object recognition and random image structure evolution. "
                  "Cognitive Science, 28(2), 259-287.",)

    coherence: float = Param(Number(0.0, 1.0), default=1.0, unit="fraction",
                             help="How much of the random phase is mixed in (0: the input, 1: fully scrambled).")
    out_grayscale: bool = Param(Boolean(), default=False, help="Write the result in grey.",
                                cli_names=("--grayscale",))

    def __post_init__(self) -> None:
        self._noise: np.ndarray | None = None

    def start(self, info: SourceInfo) -> None:
        self._noise = None

    @staticmethod
    def scramble(box: np.ndarray, noise_phase: np.ndarray, coherence: float, iterations: int = 30) -> np.ndarray:
        """Scramble a float (h, w, c) array with a phase field of shape (h, w).

        A scrambled image can leave 0-255; clipping it would change the amplitude spectrum.
        So the result is projected alternately onto the valid range and back onto the
        original amplitude spectrum (``iterations`` times, as in Gerchberg-Saxton phase
        retrieval) — the amplitude stays within a fraction of a percent and the pixels in
        range, at the cost of a small drift of the phase away from the drawn one.
        """
        out = np.empty_like(box, dtype=np.float64)
        for c in range(box.shape[2]):
            spectrum = np.fft.fft2(box[..., c].astype(np.float64))
            amplitude = np.abs(spectrum)
            x = np.fft.ifft2(spectrum * np.exp(1j * coherence * noise_phase)).real
            for _ in range(iterations):
                if x.min() >= 0.0 and x.max() <= 255.0:
                    break
                phase = np.angle(np.fft.fft2(np.clip(x, 0.0, 255.0)))
                x = np.fft.ifft2(amplitude * np.exp(1j * phase)).real
            out[..., c] = x
        return out

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        if self.coherence == 0.0 and not self.out_grayscale:
            return frame
        x0, y0, x1, y1 = (int(v) for v in faces.union_box())  # type: ignore[misc]
        box = frame[y0:y1, x0:x1]
        if box.size == 0:
            return frame
        if self._noise is None:
            phase = np.angle(np.fft.fft2(rng.standard_normal(box.shape[:2])))
            phase[0, 0] = 0.0
            self._noise = phase
        h, w = self._noise.shape
        work = box if box.shape[:2] == (h, w) else cv2.resize(box, (w, h), interpolation=cv2.INTER_LINEAR)
        if self.out_grayscale:
            work = cv2.cvtColor(work, cv2.COLOR_RGB2GRAY)[..., None]
        scrambled = self.scramble(work.astype(np.float64), self._noise, self.coherence) if self.coherence else work
        scrambled = np.clip(np.rint(scrambled), 0, 255).astype(np.uint8)
        if scrambled.shape[2] == 1:
            scrambled = np.repeat(scrambled, 3, axis=2)
        if scrambled.shape[:2] != box.shape[:2]:
            scrambled = cv2.resize(scrambled, (box.shape[1], box.shape[0]), interpolation=cv2.INTER_LINEAR)
        out = frame if frame.flags.writeable else frame.copy()
        out[y0:y1, x0:x1] = scrambled
        return out

    def draws(self) -> dict[str, Any]:
        return {"phase_field_shape": None if self._noise is None else list(self._noise.shape)}


"""Reverse-correlation noise, 2IFC stimuli and classification images, compatible with rcicr.

The noise is rcicr's (Dotsch & Todorov, 2012; Brinkman et al., 2017; the R package ``rcicr``,
``generateNoisePattern`` / ``generateNoiseImage``), reproduced to its layout:

- an ``S x S`` image (``S`` divisible by ``2^(n_scales - 1)``); scales ``1, 2, 4, 8, 16``
  patches per side, so patches of ``S``, ``S/2``, ..., ``S/16`` pixels;
- per scale, 6 orientations (0, 30, 60, 90, 120, 150 degrees) x 2 phases (0, pi/2) = 12
  layers, each a patch repeated over the scale's tiles;
- ``"sinusoid"``: 2 cycles per patch, ``sin(2 pi (X cos a + Y sin a) + phase)`` with ``X``,
  ``Y`` = ``linspace(0, 2, size)`` along columns and rows (rcicr's ``generateSinusoid``; angle
  0 gives vertical stripes); ``"gabor"``: 1.5 cycles under a Gaussian of ``gabor_sigma`` (25)
  in rcicr's units, ``exp(-(x^2 + y^2) / (2 (sigma / size)^2))`` with ``x``, ``y`` =
  ``linspace(-0.5, 0.5, size)`` (rcicr's ``generateGabor``; the same sigma at every scale, as
  rcicr does);
- one contrast parameter per tile of every layer, drawn uniform in [-1, 1]: 12 x (1 + 4 + 16 +
  64 + 256) = 4092 per trial for 5 scales, in rcicr's order (scale, orientation, phase, then
  the tiles column by column, each column top to bottom);
- the noise image is the *mean* over the 60 layers of patch x contrast (so its values mostly
  lie within [-0.3, 0.3], SD about 0.05).

So a parameter matrix from rcicr's ``.Rdata`` (``stimuli_params[[base]]``, trials x 4092)
gives the same noise here, and one saved here gives the same noise in rcicr.

Deliberate differences from rcicr (documented, and chosen for PyFAME's users):

1. Random numbers come from NumPy (``numpy.random.default_rng(seed)``), not R's Mersenne
   Twister: the same seed does not give rcicr's parameters. Every parameter is stored, in the
   ``.npz`` of :meth:`RCStimuli.save`, so nothing depends on the generator.
2. Stimuli are, by default, ``base +- noise_amplitude * noise`` on the base's own pixels
   (``composition="additive"``): the base keeps its contrast, and ``ori + inv = 2 x base``
   wherever nothing clips. rcicr rescales the base to full contrast and averages it with the
   noise, ``(base + (noise + 0.3) / 0.6) / 2``, which halves the base's contrast and adds 0.25;
   ``composition="rcicr"`` reproduces that exactly (grey, as rcicr). The default amplitude,
   ``255 / 1.2`` grey levels per unit of noise, gives the noise the physical contrast it has
   in rcicr's stimuli.
3. Colour bases are allowed (the noise is added equally to R, G and B); rcicr averages the
   channels to grey. A ``mask`` confines the noise to the face (weights in [0, 1]); rcicr
   masks only the analysis.
4. Trials are numbered from 1, as rcicr numbers its stimulus files.

Classification images (:func:`classification_image`): responses ``1`` (the ``ori``,
base + noise, image chosen) and ``-1`` (the ``inv``, base - noise); responses to a trial
shown several times are averaged first, then the CI is the mean over trials of
``response x noise`` (rcicr's ``generateCINoise``), in noise units. Rendering it onto the base
follows rcicr's ``applyScaling``/``combine`` (:meth:`ClassificationImage.scaled`). Z-maps:
``"noise_sd"`` (default): each pixel's CI divided by its standard deviation under the null
hypothesis that responses are unrelated to the noise (random signs):
``sqrt(sum_t r_t^2 n_t^2) / T`` (the exact SD of the sign-flip permutation distribution;
asymptotically rcicr's ``t.test`` z-map); ``"permutation"``: the same null, by
``n_permutations`` random sign flips (mean and SD of the permuted CIs); ``"quick"``: rcicr's
quick z-map (Gaussian blur of sigma 3 px, then standardised over the pixels).

Examples
--------
>>> import numpy as np
>>> base = np.full((64, 64), 128, np.uint8)
>>> stimuli = generate_rc_stimuli(base, n_trials=4, seed=7)
>>> stimuli.params.shape
(4, 4092)
>>> ori, inv = stimuli.pair(1)
>>> bool((ori.astype(int) + inv.astype(int) == 2 * 128).all())
True
>>> ci = classification_image(stimuli, [1, -1, 1, -1], zmap=None)
>>> ci.ci.shape
(64, 64)
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pandas as pd

from pyfame.errors import FileReadError, ImageShapeError, PyfameTypeError, PyfameValueError
from pyfame.stimulus_control.luminance import check_image, check_mask
from pyfame.validation import check_choice, check_float, check_int, check_seed

NOISE_KINDS: dict[str, str] = {"sinusoid": "sinusoid", "gabor": "gabor"}
ORIENTATIONS: tuple[float, ...] = (0.0, 30.0, 60.0, 90.0, 120.0, 150.0)
PHASES: tuple[float, ...] = (0.0, math.pi / 2)
#: Cycles per patch, as rcicr's generateNoisePattern.
CYCLES: dict[str, float] = {"sinusoid": 2.0, "gabor": 1.5}
#: Grey levels per unit of noise by default: rcicr's stimuli carry noise n as n / 1.2 of the
#: full range ((n + 0.3) / 0.6 averaged with the base).
DEFAULT_AMPLITUDE = 255.0 / 1.2
COMPOSITIONS: dict[str, str] = {"additive": "additive", "rcicr": "rcicr"}
SCALINGS: dict[str, str] = {"independent": "independent", "matched": "matched", "constant": "constant", "none": "none"}
ZMAPS: dict[str, str] = {"noise_sd": "noise_sd", "permutation": "permutation", "quick": "quick"}
NPZ_FORMAT = 1
_CHUNK = 32  # noise images made at once


# ----------------------------------------------------------------------------- patches


def sinusoid_patch(size: int, cycles: float, angle: float, phase: float, contrast: float = 1.0) -> np.ndarray:
    """rcicr's ``generateSinusoid``: a ``size x size`` float32 sinusoid of ``cycles`` cycles.

    ``angle`` in degrees (0: vertical stripes, 90: horizontal); ``phase`` in radians.

    Examples
    --------
    >>> p = sinusoid_patch(5, 1, 0, 0)
    >>> [round(float(v), 3) for v in p[0]]
    [0.0, 1.0, 0.0, -1.0, -0.0]
    """
    a = math.radians(angle)
    ramp = np.linspace(0.0, cycles, size)
    x = ramp[None, :]
    y = ramp[:, None]
    return (contrast * np.sin((x * math.cos(a) + y * math.sin(a)) * 2 * math.pi + phase)).astype(np.float32)


def gabor_patch(size: int, cycles: float, angle: float, phase: float, sigma: float, contrast: float = 1.0) -> np.ndarray:
    """rcicr's ``generateGabor``: :func:`sinusoid_patch` under a Gaussian envelope.

    The envelope is ``exp(-(x^2 + y^2) / (2 (sigma / size)^2))`` over ``x``, ``y`` from -0.5 to
    0.5 across the patch, so ``sigma`` is about in pixels whatever the patch size.

    Examples
    --------
    >>> g = gabor_patch(33, 1.5, 0, 0.0, sigma=5)
    >>> round(float(abs(g[16, 12])), 2), round(float(abs(g[0, 0])), 4)
    (0.27, 0.0)
    """
    s = sinusoid_patch(size, cycles, angle, phase, contrast).astype(np.float64)
    x0 = np.linspace(-0.5, 0.5, size)
    r2 = x0[None, :] ** 2 + x0[:, None] ** 2
    return (np.exp(-r2 / (2 * (sigma / size) ** 2)) * s).astype(np.float32)


@dataclass(frozen=True)
class NoiseBasis:
    """rcicr's noise pattern (``generateNoisePattern``) for ``img_size x img_size`` images.

    Use :func:`noise_basis` to make one (cached). :meth:`noise` is ``generateNoiseImage``.

    Examples
    --------
    >>> b = noise_basis(32, n_scales=2)
    >>> b.n_params, b.n_layers, b.noise(np.zeros(b.n_params)).shape
    (60, 24, (32, 32))
    """

    img_size: int
    kind: str = "sinusoid"
    n_scales: int = 5
    gabor_sigma: float = 25.0
    _patches: tuple[np.ndarray, ...] = field(default=(), repr=False, compare=False)

    @property
    def scales(self) -> tuple[int, ...]:
        """Patches per side at each scale: ``1, 2, 4, ...``."""
        return tuple(2**i for i in range(self.n_scales))

    @property
    def n_layers(self) -> int:
        """Layers averaged: scales x orientations x phases."""
        return self.n_scales * len(ORIENTATIONS) * len(PHASES)

    @property
    def n_params(self) -> int:
        """Contrast parameters per noise image (4092 for 5 scales)."""
        return len(ORIENTATIONS) * len(PHASES) * sum(s * s for s in self.scales)

    def noise(self, params: np.ndarray) -> np.ndarray:
        """Noise image(s): ``(n_params,)`` -> float32 ``(S, S)``; ``(n, n_params)`` -> ``(n, S, S)``.

        The mean over layers of patch x its tile's contrast (rcicr's ``generateNoiseImage``).

        Examples
        --------
        >>> b = noise_basis(16, n_scales=2)
        >>> b.noise(np.ones((3, b.n_params))).shape
        (3, 16, 16)
        """
        p = np.asarray(params, np.float32)
        single = p.ndim == 1
        p = p.reshape(-1, p.shape[-1])
        if p.shape[1] != self.n_params:
            raise PyfameValueError(f"params must have {self.n_params} values per trial for this noise basis, got {p.shape[1]}")
        n, size_all = p.shape[0], self.img_size
        out = np.zeros((n, size_all, size_all), np.float32)
        k = len(ORIENTATIONS) * len(PHASES)
        offset = 0
        made = self._patches or _basis(self.img_size, self.kind, self.n_scales, self.gabor_sigma)._patches
        for scale, patches in zip(self.scales, made):
            size = size_all // scale
            block = p[:, offset:offset + k * scale * scale].reshape(n, k, scale, scale)  # (n, k, col, row)
            offset += k * scale * scale
            contrast = block.transpose(0, 3, 2, 1).reshape(n * scale * scale, k)  # rows (n, row, col)
            tiles = contrast @ patches.reshape(k, size * size)  # (n*row*col, size*size)
            tiles = tiles.reshape(n, scale, scale, size, size).transpose(0, 1, 3, 2, 4)
            out += tiles.reshape(n, size_all, size_all)
        out *= np.float32(1.0 / self.n_layers)
        return out[0] if single else out

    def project(self, image: np.ndarray) -> np.ndarray:
        """The adjoint of :meth:`noise`: float64 ``(n_params,)`` with
        ``(noise(p) * image).sum() == p @ project(image)`` for every ``p``.

        What each parameter contributes to a noise image's inner product with ``image``: a
        simulated observer's evidence for a template is ``params @ project(template)``, and a
        CI converges to ``noise(project(template))`` (the template seen through the noise).

        Examples
        --------
        >>> b = noise_basis(32, n_scales=3)
        >>> img = np.random.default_rng(0).normal(size=(32, 32))
        >>> p = np.random.default_rng(1).uniform(-1, 1, b.n_params)
        >>> bool(np.isclose((b.noise(p) * img).sum(), p @ b.project(img), rtol=1e-4))
        True
        """
        x = np.asarray(image, np.float64)
        if x.shape != (self.img_size, self.img_size):
            raise ImageShapeError(f"image must be {self.img_size}x{self.img_size} for this noise basis, got {x.shape}")
        made = self._patches or _basis(self.img_size, self.kind, self.n_scales, self.gabor_sigma)._patches
        k = len(ORIENTATIONS) * len(PHASES)
        out = []
        for scale, patches in zip(self.scales, made):
            size = self.img_size // scale
            tiles = x.reshape(scale, size, scale, size).transpose(0, 2, 1, 3).reshape(scale * scale, size * size)
            sums = tiles @ patches.reshape(k, size * size).T.astype(np.float64)  # (row*col, k)
            out.append(sums.reshape(scale, scale, k).transpose(2, 1, 0).ravel())  # (k, col, row)
        return np.concatenate(out) / self.n_layers

    def layout(self) -> pd.DataFrame:
        """One row per parameter: its 1-based ``index`` (rcicr's ``patchIdx``), ``scale``
        (patches per side), ``orientation`` (degrees), ``phase`` (radians), and the tile's
        0-based ``row`` and ``col``.

        Examples
        --------
        >>> noise_basis(32, n_scales=2).layout().loc[13, ["index", "scale", "row", "col"]].tolist()
        [14, 2, 1, 0]
        """
        rows = []
        index = 1
        for scale in self.scales:
            for orientation in ORIENTATIONS:
                for phase in PHASES:
                    for col in range(scale):
                        for row in range(scale):
                            rows.append((index, scale, orientation, phase, row, col))
                            index += 1
        return pd.DataFrame(rows, columns=["index", "scale", "orientation", "phase", "row", "col"])


@lru_cache(maxsize=4)
def _basis(img_size: int, kind: str, n_scales: int, gabor_sigma: float) -> NoiseBasis:
    patches = []
    for i in range(n_scales):
        size = img_size // 2**i
        layer = []
        for orientation in ORIENTATIONS:
            for phase in PHASES:
                if kind == "gabor":
                    layer.append(gabor_patch(size, CYCLES[kind], orientation, phase, gabor_sigma))
                else:
                    layer.append(sinusoid_patch(size, CYCLES[kind], orientation, phase))
        stack = np.ascontiguousarray(np.stack(layer))
        stack.setflags(write=False)
        patches.append(stack)
    return NoiseBasis(img_size, kind, n_scales, gabor_sigma, tuple(patches))


def noise_basis(img_size: int, kind: str = "sinusoid", n_scales: int = 5, gabor_sigma: float = 25.0) -> NoiseBasis:
    """The noise basis for ``img_size x img_size`` stimuli (rcicr's ``generateNoisePattern``).

    Raises :class:`~pyfame.errors.ImageShapeError` when ``img_size`` is not divisible by
    ``2^(n_scales - 1)`` (the finest scale could not tile the image; rcicr refuses too).

    Examples
    --------
    >>> noise_basis(512).n_params
    4092
    >>> noise_basis(100)
    Traceback (most recent call last):
    ...
    pyfame.errors.ImageShapeError: img_size 100 must be divisible by 2^(n_scales - 1) = 16 (the finest scale tiles the image with 16 patches per side); 96 or 112 would do
    """
    size = check_int(img_size, "img_size", low=1)
    kind = check_choice(kind, "noise", NOISE_KINDS)
    scales = check_int(n_scales, "n_scales", low=1, high=10)
    sigma = check_float(gabor_sigma, "gabor_sigma", low=0.0, low_inclusive=False)
    tiles = 2 ** (scales - 1)
    if size % tiles:
        lower, upper = size // tiles * tiles, (size // tiles + 1) * tiles
        options = f"{lower} or {upper}" if lower else f"{upper}"
        raise ImageShapeError(
            f"img_size {size} must be divisible by 2^(n_scales - 1) = {tiles} (the finest scale "
            f"tiles the image with {tiles} patches per side); {options} would do"
        )
    return _basis(size, kind, scales, sigma)


def noise_image(params: np.ndarray, basis: NoiseBasis) -> np.ndarray:
    """rcicr's ``generateNoiseImage``: the noise of one parameter vector (or a batch).

    Examples
    --------
    >>> b = noise_basis(16, n_scales=1)
    >>> p = np.zeros(b.n_params); p[0] = 1.0
    >>> bool(np.allclose(noise_image(p, b) * b.n_layers, sinusoid_patch(16, 2, 0, 0)))
    True
    """
    if not isinstance(basis, NoiseBasis):
        raise PyfameTypeError(f"basis must be a NoiseBasis (from noise_basis), got {type(basis).__name__}")
    return basis.noise(params)


def draw_parameters(n_trials: int, n_params: int, seed: int | None) -> np.ndarray:
    """Contrast parameters uniform in [-1, 1), float64 ``(n_trials, n_params)``, one row per
    trial, from ``numpy.random.default_rng(seed)``.

    Examples
    --------
    >>> draw_parameters(2, 3, seed=0).round(3).tolist()
    [[0.274, -0.46, -0.918], [-0.967, 0.627, 0.826]]
    """
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, (n_trials, n_params))


# ----------------------------------------------------------------------------- stimuli


@dataclass
class RCStimuli:
    """A 2IFC reverse-correlation stimulus set: everything needed to recompute every stimulus.

    Attributes
    ----------
    base : numpy.ndarray
        uint8 ``(S, S)`` grey or ``(S, S, 3)`` RGB.
    params : numpy.ndarray
        float64 ``(n_trials, n_params)``: row ``t - 1`` is trial ``t``'s noise parameters.
    basis : NoiseBasis
    seed : int or None
        The seed the parameters were drawn with.
    noise_amplitude : float
        Grey levels per unit of noise (``"additive"``).
    mask : numpy.ndarray or None
        float32 ``(S, S)`` weights: where the noise goes.
    composition : {"additive", "rcicr"}

    Examples
    --------
    >>> s = generate_rc_stimuli(np.full((32, 32), 100, np.uint8), n_trials=3, seed=0, n_scales=2)
    >>> [t for t, ori, inv in s.pairs()], s.table()["params_row"].tolist()
    ([1, 2, 3], [0, 1, 2])
    >>> float(np.abs(s.noise(3)).max()) < 0.3
    True
    """

    base: np.ndarray
    params: np.ndarray
    basis: NoiseBasis
    seed: int | None = None
    noise_amplitude: float = DEFAULT_AMPLITUDE
    mask: np.ndarray | None = None
    composition: str = "additive"

    @property
    def n_trials(self) -> int:
        """Trials, numbered 1 to ``n_trials``."""
        return int(self.params.shape[0])

    def _check_trial(self, trial: Any) -> int:
        t = check_int(trial, "trial")
        if not 1 <= t <= self.n_trials:
            raise PyfameValueError(f"trial must be in 1..{self.n_trials} (trials are numbered from 1), got {t}")
        return t

    def noise(self, trial: int) -> np.ndarray:
        """Trial ``trial``'s noise image (float32, noise units), times the mask if any."""
        noise = self.basis.noise(self.params[self._check_trial(trial) - 1])
        return noise * self.mask if self.mask is not None else noise

    def pair(self, trial: int) -> tuple[np.ndarray, np.ndarray]:
        """The trial's ``(ori, inv)`` images: base + noise and base - noise (uint8)."""
        return self._compose(self.noise(trial))

    def pairs(self) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """``(trial, ori, inv)`` for every trial, computed in batches."""
        for start in range(0, self.n_trials, _CHUNK):
            batch = self.basis.noise(self.params[start:start + _CHUNK])
            for i, noise in enumerate(batch):
                if self.mask is not None:
                    noise = noise * self.mask
                yield (start + i + 1, *self._compose(noise))

    def _compose(self, noise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.composition == "rcicr":
            base = _rcicr_base(self.base)
            ori = (base + (noise + 0.3) / 0.6) / 2
            inv = (base + (-noise + 0.3) / 0.6) / 2
            return tuple(np.clip(np.rint(v * 255.0), 0, 255).astype(np.uint8) for v in (ori, inv))  # type: ignore[return-value]
        # the offset is rounded once and added and subtracted, so ori + inv = 2 x base exactly
        # wherever neither clips
        offset = np.rint(noise * np.float32(self.noise_amplitude)).astype(np.int16)
        if self.base.ndim == 3:
            offset = offset[..., None]
        base = self.base.astype(np.int16)
        return (np.clip(base + offset, 0, 255).astype(np.uint8), np.clip(base - offset, 0, 255).astype(np.uint8))

    def table(self) -> pd.DataFrame:
        """One row per trial: ``trial`` (from 1), ``params_row`` (its row of :attr:`params`)
        and the settings that, with :attr:`params`, recompute it."""
        n = self.n_trials
        return pd.DataFrame({
            "trial": np.arange(1, n + 1),
            "params_row": np.arange(n),
            "noise": self.basis.kind,
            "seed": -1 if self.seed is None else self.seed,
            "composition": self.composition,
        })

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write everything to a ``.npz`` (atomically); :func:`load_rc_stimuli` reads it back."""
        from pyfame.io.atomic_write import atomic_output

        target = Path(path)
        if target.suffix.lower() != ".npz":
            raise PyfameValueError(f"path must end in .npz, got {target.name}")
        with atomic_output(target) as tmp, open(tmp, "wb") as fh:
            np.savez_compressed(
                fh,
                format_version=np.int64(NPZ_FORMAT),
                base=self.base,
                params=self.params,
                trials=np.arange(1, self.n_trials + 1),
                mask=np.zeros((0, 0), np.float32) if self.mask is None else self.mask,
                noise=np.str_(self.basis.kind),
                img_size=np.int64(self.basis.img_size),
                n_scales=np.int64(self.basis.n_scales),
                gabor_sigma=np.float64(self.basis.gabor_sigma),
                seed=np.int64(-1 if self.seed is None else self.seed),
                noise_amplitude=np.float64(self.noise_amplitude),
                composition=np.str_(self.composition),
            )
        return target


def load_rc_stimuli(path: str | os.PathLike[str]) -> RCStimuli:
    """Read a stimulus set written by :meth:`RCStimuli.save`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> s = generate_rc_stimuli(np.full((32, 32), 90, np.uint8), n_trials=3, seed=1, n_scales=2)
    >>> p = s.save(pathlib.Path(tempfile.mkdtemp()) / "rc.npz")
    >>> t = load_rc_stimuli(p)
    >>> bool((t.pair(2)[0] == s.pair(2)[0]).all()), t.seed
    (True, 1)
    """
    target = Path(path)
    try:
        with np.load(target, allow_pickle=False) as data:
            fields = {k: data[k] for k in data.files}
    except (OSError, ValueError) as exc:
        raise FileReadError(f"{target}: not a readable .npz of reverse-correlation stimuli ({exc})") from exc
    needed = {"format_version", "base", "params", "noise", "img_size", "n_scales", "gabor_sigma", "seed", "noise_amplitude", "composition", "mask"}
    if not needed <= set(fields) or int(fields["format_version"]) != NPZ_FORMAT:
        raise FileReadError(f"{target}: not a PyFAME reverse-correlation .npz (format {NPZ_FORMAT})")
    basis = noise_basis(int(fields["img_size"]), str(fields["noise"]), int(fields["n_scales"]), float(fields["gabor_sigma"]))
    mask = fields["mask"] if fields["mask"].size else None
    seed = int(fields["seed"])
    return RCStimuli(fields["base"], fields["params"], basis, None if seed < 0 else seed,
                     float(fields["noise_amplitude"]), mask, str(fields["composition"]))


def _rcicr_base(base: np.ndarray) -> np.ndarray:
    grey = base.astype(np.float64).mean(axis=2) if base.ndim == 3 else base.astype(np.float64)
    grey /= 255.0
    lo, hi = grey.min(), grey.max()
    return (grey - lo) / (hi - lo)


def generate_rc_stimuli(
    base: np.ndarray,
    n_trials: int = 770,
    seed: int | None = 1,
    noise: str = "sinusoid",
    mask: np.ndarray | None = None,
    *,
    n_scales: int = 5,
    gabor_sigma: float = 25.0,
    noise_amplitude: float = DEFAULT_AMPLITUDE,
    composition: str = "additive",
    params: np.ndarray | None = None,
) -> RCStimuli:
    """A 2IFC stimulus set on a base face: one noise parameter vector per trial.

    Parameters
    ----------
    base : numpy.ndarray
        uint8 ``(S, S)`` grey or ``(S, S, 3)`` RGB face, square, ``S`` divisible by
        ``2^(n_scales - 1)`` (crop the face's square box; it is never resized).
    n_trials : int
        Trials (rcicr's default 770).
    seed : int or None
        Seed of the parameter draw (rcicr's default 1; a different stream from rcicr's).
    noise : {"sinusoid", "gabor"}
    mask : numpy.ndarray, optional
        float32 ``(S, S)`` weights: the noise is multiplied by them (outside the face the
        stimuli are the base, bit for bit). Not with ``composition="rcicr"``.
    n_scales, gabor_sigma : int, float
        As rcicr.
    noise_amplitude : float
        Grey levels per unit of noise (``"additive"``).
    composition : {"additive", "rcicr"}
        See the module.
    params : numpy.ndarray, optional
        ``(n_trials, n_params)`` parameters to use instead of drawing them (e.g. rcicr's
        ``stimuli_params`` from an ``.Rdata``); ``seed`` is then only recorded.

    Returns
    -------
    RCStimuli
        Pairs are computed on demand (:meth:`RCStimuli.pair`, :meth:`RCStimuli.pairs`).

    Examples
    --------
    >>> s = generate_rc_stimuli(np.zeros((32, 32, 3), np.uint8) + 100, n_trials=2, n_scales=3)
    >>> s.n_trials, s.params.shape, s.pair(2)[1].shape
    (2, (2, 252), (32, 32, 3))
    """
    check_image(base, "base")
    if base.shape[0] != base.shape[1]:
        raise ImageShapeError(f"base must be square (rcicr's noise is square), got {base.shape[1]}x{base.shape[0]}; crop the face's square box")
    composition = check_choice(composition, "composition", COMPOSITIONS)
    basis = noise_basis(base.shape[0], noise, n_scales, gabor_sigma)
    seed = check_seed(seed, "seed")
    amplitude = check_float(noise_amplitude, "noise_amplitude", low=0.0)
    weights = None if mask is None else check_mask(mask, base.shape)
    if composition == "rcicr":
        if weights is not None:
            raise PyfameValueError("mask cannot be used with composition='rcicr' (rcicr rescales the whole base); use 'additive'")
        if int(base.max()) == int(base.min()):
            raise PyfameValueError("base has no contrast (every pixel is the same): composition='rcicr' rescales it to full contrast")
    if params is None:
        n = check_int(n_trials, "n_trials", low=1)
        drawn = draw_parameters(n, basis.n_params, seed)
    else:
        drawn = np.asarray(params, np.float64)
        if drawn.ndim != 2 or drawn.shape[1] != basis.n_params or not np.isfinite(drawn).all():
            raise PyfameValueError(f"params must be a finite (n_trials, {basis.n_params}) array for this basis, got shape {drawn.shape}")
    return RCStimuli(np.ascontiguousarray(base), drawn, basis, seed, amplitude, weights, composition)


# ----------------------------------------------------------------------------- analysis


@dataclass
class ClassificationImage:
    """A classification image and its z-map.

    Attributes
    ----------
    ci : numpy.ndarray
        float32 ``(S, S)``: mean of response x noise over trials, in noise units (rcicr's raw CI).
    zmap : numpy.ndarray or None
        float32 z per pixel (NaN where the noise never reached), or None.
    zmap_method : str or None
    n_trials : int
        Distinct trials with a response.
    n_responses : int
        Rows of the response table used.

    Examples
    --------
    >>> s = generate_rc_stimuli(np.full((32, 32), 100, np.uint8), n_trials=6, seed=0, n_scales=2)
    >>> ci = classification_image(s, pd.DataFrame({"trial": [1, 2, 2, 3], "response": [1, -1, 1, 1]}))
    >>> ci.n_trials, ci.n_responses, ci.zmap_method
    (3, 4, 'noise_sd')
    """

    ci: np.ndarray
    zmap: np.ndarray | None
    zmap_method: str | None
    n_trials: int
    n_responses: int

    def scaled(self, scaling: str = "independent", constant: float = 0.1, base: np.ndarray | None = None) -> np.ndarray:
        """The CI scaled to [0, 1] for display, as rcicr's ``applyScaling``.

        ``"independent"`` (rcicr's default): ``(ci + c) / (2c)`` with ``c = max |ci|``, the
        smallest constant that does not clip this CI (so not comparable between CIs);
        ``"constant"``: the same with the given ``constant`` (clips beyond it; use one constant
        for CIs to be compared); ``"matched"``: the CI's range stretched onto the base's range
        (needs ``base``; moves the CI's zero, so a pixel the noise left alone may change);
        ``"none"``: the raw CI.

        Examples
        --------
        >>> ci = ClassificationImage(np.array([[-0.2, 0.1]], np.float32), None, None, 1, 1)
        >>> ci.scaled().tolist()
        [[0.0, 0.75]]
        """
        scaling = check_choice(scaling, "scaling", SCALINGS)
        ci = self.ci.astype(np.float64)
        if scaling == "none":
            return ci.astype(np.float32)
        if scaling == "matched":
            if base is None:
                raise PyfameValueError("scaling='matched' needs the base image (base=)")
            b = _unit(base)
            lo, hi = ci.min(), ci.max()
            if hi == lo:
                return np.full(ci.shape, (b.min() + b.max()) / 2, np.float32)
            return (b.min() + (b.max() - b.min()) * (ci - lo) / (hi - lo)).astype(np.float32)
        c = float(np.abs(ci).max()) if scaling == "independent" else check_float(constant, "constant", low=0.0, low_inclusive=False)
        if c == 0.0:
            return np.full(ci.shape, 0.5, np.float32)
        return ((ci + c) / (2 * c)).astype(np.float32)

    def combined(self, base: np.ndarray, scaling: str = "independent", constant: float = 0.1) -> np.ndarray:
        """The CI shown on the base, as rcicr's ``combine``: ``(scaled + base) / 2`` on a 0-1
        scale, uint8 of the base's shape (the CI added equally to each channel of a colour base).

        Examples
        --------
        >>> ci = ClassificationImage(np.zeros((2, 2), np.float32), None, None, 1, 1)
        >>> ci.combined(np.full((2, 2), 100, np.uint8)).tolist()
        [[114, 114], [114, 114]]
        """
        check_image(base, "base")
        if base.shape[:2] != self.ci.shape:
            raise ImageShapeError(f"base has shape {base.shape}, the CI {self.ci.shape}")
        scaled = np.clip(self.scaled(scaling, constant, base), 0.0, 1.0).astype(np.float64)
        if base.ndim == 3:
            scaled = scaled[..., None]
        return np.clip(np.rint((scaled + base / 255.0) / 2 * 255.0), 0, 255).astype(np.uint8)


def _unit(base: np.ndarray) -> np.ndarray:
    b = base.astype(np.float64) / 255.0
    return b.mean(axis=2) if b.ndim == 3 else b


def _response_table(responses: Any, n_trials: int, by: Any) -> tuple[pd.DataFrame, list[str]]:
    """Checked responses: columns ``trial`` (int, from 1), ``response`` (float) and ``by``'s."""
    if isinstance(responses, pd.DataFrame):
        table = responses
        missing = [c for c in ("trial", "response") if c not in table.columns]
        if missing:
            raise PyfameValueError(f"responses must have columns 'trial' and 'response'; missing {missing}", param="responses")
    elif isinstance(responses, (Sequence, np.ndarray)) and not isinstance(responses, (str, bytes)):
        values = np.asarray(responses)
        if values.ndim != 1:
            raise PyfameValueError(f"responses must be a table or a 1-D list of responses (trial 1 first), got shape {values.shape}", param="responses")
        table = pd.DataFrame({"trial": np.arange(1, len(values) + 1), "response": values})
    else:
        raise PyfameTypeError(f"responses must be a pandas DataFrame (trial, response, ...) or a list of responses, got {type(responses).__name__}", param="responses")
    if table.empty:
        raise PyfameValueError("responses is empty", param="responses")
    groups: list[str] = [] if by is None else ([by] if isinstance(by, str) else list(by))
    for column in groups:
        if not isinstance(column, str) or column not in table.columns:
            raise PyfameValueError(f"by names a column the responses do not have: {column!r} (columns: {list(table.columns)})", param="by")
    trial = pd.to_numeric(table["trial"], errors="coerce").to_numpy(np.float64)
    bad = ~np.isfinite(trial) | (trial != np.round(trial))
    if bad.any():
        raise PyfameValueError(f"responses: trial must hold whole trial numbers; row {int(np.flatnonzero(bad)[0])} has {table['trial'].iloc[int(np.flatnonzero(bad)[0])]!r}", param="responses")
    outside = (trial < 1) | (trial > n_trials)
    if outside.any():
        named = sorted({int(v) for v in trial[outside]})
        listed = ", ".join(str(v) for v in named[:5]) + (f" and {len(named) - 5} more" if len(named) > 5 else "")
        raise PyfameValueError(f"responses name trials that do not exist: {listed} (the stimulus set has trials 1..{n_trials})", param="responses")
    response = _check_response_codes(table["response"])
    clean = pd.DataFrame({"trial": trial.astype(np.int64), "response": response})
    for column in groups:
        clean[column] = table[column].to_numpy()
    return clean, groups


def _check_response_codes(column: pd.Series) -> np.ndarray:
    """The response column as float64 -1/1; a typed error naming ``responses`` otherwise.

    rcicr codes a 2IFC choice as 1 (the ``ori``, base + noise, image chosen) and -1 (the
    ``inv``, base - noise); any other code (0/1, 1/2, text, a missing value) would silently
    weigh trials wrongly (a 0 drops the trial), so it is refused with how to recode it.
    """
    values = [v.item() if isinstance(v, np.generic) else v for v in column.to_numpy()]
    is_bool = column.dtype == bool
    response = pd.to_numeric(column, errors="coerce").to_numpy(np.float64)
    wrong = is_bool | ~np.isin(response, (-1.0, 1.0))
    if not wrong.any():
        return response
    row = int(np.flatnonzero(wrong)[0])
    seen = sorted({str(v) for v, bad in zip(values, wrong) if bad})
    listed = ", ".join(seen[:5]) + (f" and {len(seen) - 5} more" if len(seen) > 5 else "")
    codes = set(response[np.isfinite(response)].tolist())
    if is_bool or (codes and codes <= {0.0, 1.0}):
        how = "responses coded 0/1 must be recoded as -1/1 (e.g. response = 2 * response - 1: 0 becomes -1)"
    elif codes and codes <= {1.0, 2.0}:
        how = ("responses coded 1/2 must be recoded as 1/-1 (e.g. response = 3 - 2 * response, if 1 means the "
               "ori image was chosen)")
    else:
        how = "recode each response as 1 (ori, base + noise, chosen) or -1 (inv, base - noise, chosen)"
    raise PyfameValueError(f"responses: response must be 1 (ori chosen) or -1 (inv chosen), as rcicr codes it; "
                           f"row {row} has {values[row]!r} (values not -1/1: {listed}); {how}",
                           param="responses")


def check_responses(
    responses: pd.DataFrame | Sequence[float] | np.ndarray, n_trials: int, by: str | Sequence[str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """A response table checked against a stimulus set of ``n_trials`` trials, as
    :func:`classification_image` checks it before any work: ``(clean table, group columns)``.

    Errors name ``responses`` (a missing column, trials that do not exist, responses other
    than -1/1, with how to recode 0/1 or 1/2 codings) or ``by`` (a column the table does not
    have).

    Examples
    --------
    >>> check_responses(pd.DataFrame({"trial": [1, 9], "response": [1, -1]}), n_trials=5)
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: responses name trials that do not exist: 9 (the stimulus set has trials 1..5)
    """
    return _response_table(responses, check_int(n_trials, "n_trials", low=1), by)


def classification_image(
    stimuli: RCStimuli | np.ndarray,
    responses: pd.DataFrame | Sequence[float] | np.ndarray,
    *,
    basis: NoiseBasis | None = None,
    mask: np.ndarray | None = None,
    by: str | Sequence[str] | None = None,
    zmap: str | None = "noise_sd",
    n_permutations: int = 1000,
    seed: int | None = 0,
    zmap_sigma: float = 3.0,
) -> ClassificationImage | dict[Any, ClassificationImage]:
    """Classification image(s) from 2IFC responses (see the module for the definitions).

    Parameters
    ----------
    stimuli : RCStimuli or numpy.ndarray
        The stimulus set; or its parameters ``(n_trials, n_params)`` with ``basis``; or the
        noise patterns themselves ``(n_trials, S, S)``. Row ``t - 1`` is trial ``t``.
    responses : pandas.DataFrame or sequence
        A table with ``trial`` (from 1) and ``response`` (1: ori chosen, -1: inv chosen, as
        rcicr codes them; any other value, such as 0 of a 0/1 coding, is an error), plus any grouping columns (``participant``,
        ``condition``); or a plain list of responses to trials 1, 2, ...
    basis : NoiseBasis, optional
        With a parameter array.
    mask : numpy.ndarray, optional
        Weights the noise was multiplied by (taken from ``stimuli`` when it is an RCStimuli).
    by : str or sequence of str, optional
        Columns to group by: one CI per group (a dict keyed by the group's value, or tuple).
    zmap : {"noise_sd", "permutation", "quick"} or None
    n_permutations, seed : int
        For ``zmap="permutation"``.
    zmap_sigma : float
        Blur of ``zmap="quick"`` in pixels (rcicr's 3).

    Raises
    ------
    PyfameValueError, PyfameTypeError
        Before any work: a response table naming trials that do not exist, responses other
        than -1/1, a missing column, an unknown ``by`` column, parameters that do not fit the
        basis.

    Examples
    --------
    >>> s = generate_rc_stimuli(np.full((32, 32), 128, np.uint8), n_trials=20, seed=3, n_scales=3)
    >>> table = pd.DataFrame({"trial": range(1, 21), "response": [1, -1] * 10, "participant": ["a", "b"] * 10})
    >>> sorted(classification_image(s, table, by="participant", zmap=None))
    ['a', 'b']
    """
    # ---- checks
    patterns: np.ndarray | None = None
    params: np.ndarray | None = None
    if isinstance(stimuli, RCStimuli):
        params, basis = stimuli.params, stimuli.basis
        if mask is None:
            mask = stimuli.mask
    elif isinstance(stimuli, np.ndarray) and stimuli.ndim == 3:
        patterns = stimuli
    elif isinstance(stimuli, np.ndarray) and stimuli.ndim == 2:
        if not isinstance(basis, NoiseBasis):
            raise PyfameTypeError("basis (a NoiseBasis) is needed with a parameter array")
        if stimuli.shape[1] != basis.n_params:
            raise PyfameValueError(f"stimuli (parameters) must have {basis.n_params} columns for this basis, got {stimuli.shape[1]}")
        params = stimuli
    else:
        raise PyfameTypeError("stimuli must be an RCStimuli, a (n_trials, n_params) parameter array or (n_trials, S, S) noise patterns")
    n_trials = int((patterns if patterns is not None else params).shape[0])  # type: ignore[union-attr]
    side = patterns.shape[1:] if patterns is not None else (basis.img_size, basis.img_size)  # type: ignore[union-attr]
    weights = None if mask is None else check_mask(mask, side, "mask")
    table, groups = _response_table(responses, n_trials, by)
    method = None if zmap is None else check_choice(zmap, "zmap", ZMAPS)
    n_perm = check_int(n_permutations, "n_permutations", low=10)
    seed = check_seed(seed, "seed")
    sigma = check_float(zmap_sigma, "zmap_sigma", low=0.0, low_inclusive=False)

    # ---- work
    source = _NoiseSource(patterns, params, basis, side)  # type: ignore[arg-type]

    def one(rows: pd.DataFrame) -> ClassificationImage:
        per_trial = rows.groupby("trial", sort=True)["response"].mean()
        trials = per_trial.index.to_numpy() - 1
        r = per_trial.to_numpy(np.float64)
        ci = source.weighted_sum(trials, r / len(r)).astype(np.float32)
        if weights is not None:
            ci = ci * weights
        if method == "quick":
            z = _zmap_quick(ci, weights, sigma)
        elif method == "noise_sd":
            z = _zmap_noise_sd(ci, source, trials, r, weights)
        elif method == "permutation":
            z = _zmap_permutation(ci, source, trials, r, weights, n_perm, seed)
        else:
            z = None
        return ClassificationImage(ci, z, method, len(r), len(rows))

    if not groups:
        return one(table)
    key = groups[0] if len(groups) == 1 else groups
    return {name: one(rows) for name, rows in table.groupby(key, sort=True)}


@dataclass
class _NoiseSource:
    """The trials' noise, from patterns or from parameters and a basis."""

    patterns: np.ndarray | None
    params: np.ndarray | None
    basis: NoiseBasis | None
    side: tuple[int, int]

    def images(self, trials: np.ndarray) -> np.ndarray:
        """Noise images of the trials (0-based rows), float32 ``(n, S, S)``."""
        if self.patterns is not None:
            return np.asarray(self.patterns[trials], np.float32)
        return self.basis.noise(self.params[trials]).reshape(len(trials), *self.side)  # type: ignore[union-attr,index]

    def weighted_sum(self, trials: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """``sum_t coef_t noise_t`` for ``coef`` ``(T,)`` -> ``(S, S)`` or ``(k, T)`` ->
        ``(k, S, S)``: one noise image per row of ``coef``, by linearity in the parameters."""
        c = np.atleast_2d(coef)
        if self.patterns is not None:
            out = np.tensordot(c, np.asarray(self.patterns[trials], np.float32), axes=(1, 0))
        else:
            out = self.basis.noise(c @ self.params[trials]).reshape(c.shape[0], *self.side)  # type: ignore[union-attr,index]
        return out[0] if coef.ndim == 1 else out


def _zmap_quick(ci: np.ndarray, weights: np.ndarray | None, sigma: float) -> np.ndarray:
    """rcicr's quick z-map: Gaussian blur, then standardised over the (mask's) pixels."""
    blurred = cv2.GaussianBlur(ci, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
    inside = weights > 0 if weights is not None else np.ones(ci.shape, bool)
    sd = float(blurred[inside].std())
    standard = (blurred - blurred[inside].mean()) / sd if sd > 0 else np.zeros_like(blurred)
    return np.where(inside, standard, np.nan).astype(np.float32)


def _zmap_noise_sd(
    ci: np.ndarray, source: _NoiseSource, trials: np.ndarray, r: np.ndarray, weights: np.ndarray | None
) -> np.ndarray:
    """CI over its SD under random response signs: ``sqrt(sum r_t^2 n_t^2) / T`` per pixel."""
    var = np.zeros(ci.shape, np.float64)
    for start in range(0, len(r), _CHUNK):
        chunk = source.images(trials[start:start + _CHUNK]).astype(np.float64)
        var += np.tensordot(r[start:start + _CHUNK] ** 2, chunk * chunk, axes=(0, 0))
    sd = np.sqrt(var) / len(r)
    if weights is not None:
        sd = sd * weights
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, ci / sd, np.nan).astype(np.float32)


def _zmap_permutation(
    ci: np.ndarray,
    source: _NoiseSource,
    trials: np.ndarray,
    r: np.ndarray,
    weights: np.ndarray | None,
    n_permutations: int,
    seed: int | None,
) -> np.ndarray:
    """CI against the CIs of ``n_permutations`` random sign flips of the responses."""
    rng = np.random.default_rng(seed)
    total = np.zeros(ci.shape, np.float64)
    total_sq = np.zeros(ci.shape, np.float64)
    t = len(r)
    for start in range(0, n_permutations, _CHUNK):
        k = min(_CHUNK, n_permutations - start)
        signs = rng.choice(np.array([-1.0, 1.0]), size=(k, t))
        perm = source.weighted_sum(trials, signs * (r / t)).astype(np.float64)
        if weights is not None:
            perm = perm * weights
        total += perm.sum(axis=0)
        total_sq += (perm * perm).sum(axis=0)
    mean = total / n_permutations
    sd = np.sqrt(np.maximum(total_sq / n_permutations - mean * mean, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, (ci - mean) / sd, np.nan).astype(np.float32)


def template_correlation(ci: np.ndarray, template: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Pearson correlation of a classification image with a template, over the mask's
    pixels (weight > 0) or the whole image.

    Examples
    --------
    >>> t = np.arange(16, dtype=np.float32).reshape(4, 4)
    >>> template_correlation(2 * t + 1, t)
    1.0
    """
    a = np.asarray(ci, np.float64)
    b = np.asarray(template, np.float64)
    if a.shape != b.shape:
        raise ImageShapeError(f"template has shape {b.shape}, the CI {a.shape}")
    inside = np.ones(a.shape, bool) if mask is None else np.asarray(mask) > 0
    return float(np.corrcoef(a[inside], b[inside])[0, 1])


__all__ = [
    "COMPOSITIONS",
    "DEFAULT_AMPLITUDE",
    "NOISE_KINDS",
    "ClassificationImage",
    "NoiseBasis",
    "RCStimuli",
    "check_responses",
    "classification_image",
    "draw_parameters",
    "gabor_patch",
    "generate_rc_stimuli",
    "load_rc_stimuli",
    "noise_basis",
    "noise_image",
    "sinusoid_patch",
    "template_correlation",
]

"""Reverse-correlation 2IFC stimuli on a base face, compatible with rcicr."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from pyfame.core.stimulus_control.face_media import box_centre, centred_box, crop, png_bytes
from pyfame.errors import ImageShapeError, PyfameError, PyfameValueError
from pyfame.face.region_mask import region_mask
from pyfame.io.image_source import image_header_size
from pyfame.io.media_kinds import media_kind
from pyfame.pipeline.region_layer import feathering
from pyfame.pipeline.operation import Made, Operation, OperationContext
from pyfame.pipeline.params import Boolean, Choice, Integer, Number, Optional, Param, Regions
from pyfame.stimulus_control.reverse_correlation import (
    COMPOSITIONS,
    DEFAULT_AMPLITUDE,
    NOISE_KINDS,
    RCStimuli,
    generate_rc_stimuli,
    noise_basis,
)

DOTSCH_TODOROV_2012 = ("Dotsch, R., & Todorov, A. (2012). Reverse correlating social face perception. Social "
                       "Psychological and Personality Science, 3(5), 562-571.")
BRINKMAN_2017 = ("Brinkman, L., Todorov, A., & Dotsch, R. (2017). Visualising mental representations: A primer on "
                 "noise-based reverse correlation in social psychology. European Review of Social Psychology, 28(1), "
                 "333-361.")
RCICR = "Dotsch, R. rcicr: Reverse-correlation image-classification toolbox (R package). https://github.com/rdotsch/rcicr"
#: rcicr's label, the first part of every stimulus file's name.
LABEL = "rcic"


def stimulus_names(base: str, n_trials: int) -> list[str]:
    """The stimulus files of a set, in trial order: ``rcic_<base>_<trial>_ori.png`` and
    ``..._inv.png``, trials from 1 with at least five digits (as rcicr).

    Examples
    --------
    >>> stimulus_names("face", 2)
    ['rcic_face_00001_ori.png', 'rcic_face_00001_inv.png', 'rcic_face_00002_ori.png', 'rcic_face_00002_inv.png']
    """
    digits = max(5, len(str(n_trials)))
    return [f"{LABEL}_{base}_{trial:0{digits}d}_{side}.png" for trial in range(1, n_trials + 1) for side in ("ori", "inv")]


class _LazyStimuli(Mapping):
    """The operation's outputs with each stimulus encoded only when it is written, so a set of
    hundreds of trials is never held in memory at once (its pair is computed once for both)."""

    def __init__(self, fixed: dict[str, Any], stimuli: RCStimuli, names: list[str]) -> None:
        self._fixed = fixed
        self._stimuli = stimuli
        self._trials = {name: (i // 2 + 1, i % 2) for i, name in enumerate(names)}
        self._order = [*names, *fixed]
        self._pairs: Iterator[tuple[int, np.ndarray, np.ndarray]] | None = None
        self._last: tuple[int, np.ndarray, np.ndarray] | None = None

    def _pair(self, trial: int) -> tuple[int, np.ndarray, np.ndarray]:
        """The trial's pair: from the batched stream when written in order, else on its own."""
        if self._last is not None and self._last[0] == trial:
            return self._last
        if self._last is None or self._last[0] + 1 != trial or self._pairs is None:
            self._pairs = self._stimuli.pairs() if trial == 1 else None
        self._last = next(self._pairs) if self._pairs is not None else (trial, *self._stimuli.pair(trial))
        return self._last

    def __getitem__(self, key: str) -> Any:
        if key in self._fixed:
            return self._fixed[key]
        trial, side = self._trials[key]
        return png_bytes(self._pair(trial)[1 + side])

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


class ReverseCorrelationStimuli(Operation):
    """Two-image forced-choice reverse-correlation stimuli on a base face, compatible with the
    R package rcicr (Dotsch & Todorov, 2012; Brinkman et al., 2017).

    One noise pattern per trial, from rcicr's sinusoid noise (5 scales, 6 orientations, 2
    phases, one contrast per patch uniform in [-1, 1]) or Gabor noise; each trial is a pair,
    ``ori`` = base + noise and ``inv`` = base - noise (see
    :mod:`pyfame.stimulus_control.reverse_correlation` for the composition, rcicr's own
    included). The parameters are drawn from the run's seed.

    **The base**: the image as it is when it is square with a side divisible by
    ``2^(n_scales - 1)`` (16 for 5 scales, as rcicr needs); otherwise the largest such square
    that fits (or one of ``square_px``), centred on the tracked face and moved inside the
    image: cropped, never resized. Grey by default (the mean of R, G and B, as rcicr);
    ``regions`` puts the noise only inside the face region (feathered; the rest of each
    stimulus is the base, bit for bit). A base with transparent pixels (an alpha channel below
    255 anywhere) is refused: the stimuli are opaque, and the colours hidden under the
    transparency would show; flatten it onto a background first.

    **Writes** to ``output_dir/RC_Stimuli/``: ``rcic_<base>_<trial>_ori.png`` and
    ``..._inv.png`` (trials from 1, five digits, as rcicr; ``<base>`` is the input's stem),
    ``rcic_<base>_trials.csv`` (one row per trial: its files, its row of the parameters, the
    noise, seed and composition), ``rcic_<base>.npz`` (the base, the mask, every parameter and
    setting: enough to recompute every stimulus, read by
    :func:`pyfame.stimulus_control.load_rc_stimuli` and by ``classification_image``) and
    ``rcic_<base>_base.png`` (the base used).

    Examples
    --------
    >>> ReverseCorrelationStimuli(n_trials=300, noise="gabor")
    ReverseCorrelationStimuli(n_trials=300, noise='gabor')
    """

    name = "generate_rc_stimuli"
    subfolder = "RC_Stimuli"
    does = frozenset({"tracks", "writes_tables"})  # one still
    inputs = ("base_face",)
    references = (DOTSCH_TODOROV_2012, BRINKMAN_2017, RCICR)
    alpha_policy = ("a base with transparent pixels is refused (the stimuli are opaque, as rcicr's, and the "
                    "colours under the transparency would show); a fully opaque alpha channel is left out")

    n_trials: int = Param(Integer(1, 100_000), default=770, help="Trials (stimulus pairs); rcicr's default is 770.")
    noise: str = Param(Choice(tuple(NOISE_KINDS)), default="sinusoid", help="rcicr's sinusoid or Gabor noise.")
    n_scales: int = Param(Integer(1, 8), default=5, help="Spatial scales of the noise (patches of S, S/2, ... px).")
    gabor_sigma: float = Param(Number(0.0, low_open=True), default=25.0, unit="rcicr units (about px)",
                               help="Gabor noise: width of each patch's Gaussian envelope.")
    noise_amplitude: float = Param(Number(0.0, 10_000.0), default=DEFAULT_AMPLITUDE,
                                   unit="grey levels per unit of noise",
                                   help="Additive composition: the noise's contrast on the base.")
    composition: str = Param(Choice(tuple(COMPOSITIONS)), default="additive",
                             help="base +- noise on the base's own pixels, or rcicr's (base + noise) / 2.")
    regions: list | None = Param(Optional(Regions()), default=None, cli_names=("--region",),
                                 help="Put the noise only inside these face regions (none: over the whole base).")
    feather_px, feather_iod = feathering(0.05)
    grayscale: bool = Param(Boolean(), default=True, help="Make the base grey (the mean of R, G and B, as rcicr).")
    square_px: int | None = Param(Optional(Integer(1, 16_384)), default=None, unit="px",
                                  help="Side of the square cropped around the face (none: the image, or the "
                                       "largest square that fits).")

    def validate(self) -> None:
        if self.composition == "rcicr" and self.regions is not None:
            raise PyfameValueError("regions cannot be used with composition='rcicr' (rcicr rescales the whole base); "
                                   "use composition='additive'", param="regions")
        tile = 2 ** (self.n_scales - 1)
        if self.square_px is not None and self.square_px % tile:
            lower, upper = self.square_px // tile * tile, (self.square_px // tile + 1) * tile
            raise PyfameValueError(f"square_px must be divisible by 2^(n_scales - 1) = {tile}, got {self.square_px}; "
                                   f"{lower or upper} or {upper} would do", param="square_px")

    def check_sources(self, sources: dict[str, list[Path]]) -> None:
        files = sources["base_face"]
        if len(files) != 1 or media_kind(files[0]) != "image":
            raise PyfameValueError(f"base_face: one still image is needed, got {', '.join(p.name for p in files)}",
                                   param="base_face")
        size = image_header_size(files[0])
        if size is None:
            return
        width, height = size
        tile = 2 ** (self.n_scales - 1)
        if self.square_px is not None and self.square_px > min(width, height):
            raise ImageShapeError(f"square_px: {self.square_px} px does not fit in the base ({width}x{height})",
                                  param="square_px")
        if min(width, height) < tile:
            raise ImageShapeError(f"base_face: {width}x{height} is smaller than the finest noise scale's tiling "
                                  f"({tile} px)", param="base_face")

    def _base_name(self, sources: dict[str, list[Path]]) -> str:
        return sources["base_face"][0].stem

    def output_names(self, sources: dict[str, list[Path]]) -> list[str]:
        base = self._base_name(sources)
        return [*stimulus_names(base, self.n_trials), f"{LABEL}_{base}_trials.csv", f"{LABEL}_{base}.npz",
                f"{LABEL}_{base}_base.png"]

    def base_image(self, path: Path, context: OperationContext) -> tuple[np.ndarray, np.ndarray | None]:
        """The base (uint8, square, grey unless ``grayscale=False``) and the noise's mask."""
        pixels, alpha = context.read_image_with_alpha(path)
        if alpha is not None and bool((alpha < 255).any()):
            raise ImageShapeError(f"base_face: {path.name} has transparent pixels (alpha below 255); reverse-correlation "
                                  "stimuli are opaque and the colours under the transparency would show: flatten it "
                                  "onto a background first", param="base_face")
        h, w = pixels.shape[:2]
        tile = 2 ** (self.n_scales - 1)
        faces = None
        if self.square_px is None and h == w and h % tile == 0:
            box = (0, 0, w, h)
        else:
            side = self.square_px or min(h, w) // tile * tile
            faces = self._faces(pixels, path, context)
            box = centred_box(box_centre(faces.union_box()), (side, side), pixels.shape, "base_face")
        mask = None
        if self.regions is not None:
            faces = faces or self._faces(pixels, path, context)
            mask = region_mask(faces, self.regions, pixels.shape, self.feather_px, self.feather_iod).within(box)
            if not mask.any():
                raise PyfameValueError("regions: the regions cover no pixel of the base", param="regions")
        base = crop(pixels, box)
        if self.grayscale:
            base = np.rint(base.astype(np.float32).mean(axis=2)).astype(np.uint8)
        return base, mask

    @staticmethod
    def _faces(pixels: np.ndarray, path: Path, context: OperationContext) -> Any:
        try:
            return context.faces(pixels, path)
        except PyfameError as exc:
            exc.param = exc.param or "base_face"
            raise

    def make(self, sources: dict[str, list[Path]], context: OperationContext) -> Made:
        base, mask = self.base_image(sources["base_face"][0], context)
        basis = noise_basis(base.shape[0], self.noise, self.n_scales, self.gabor_sigma)
        params = context.rng.uniform(-1.0, 1.0, (self.n_trials, basis.n_params))
        stimuli = generate_rc_stimuli(base, self.n_trials, context.seed, self.noise, mask, n_scales=self.n_scales,
                                      gabor_sigma=self.gabor_sigma, noise_amplitude=self.noise_amplitude,
                                      composition=self.composition, params=params)
        name = self._base_name(sources)
        names = stimulus_names(name, self.n_trials)
        table = stimuli.table()
        table.insert(1, "ori", names[0::2])
        table.insert(2, "inv", names[1::2])
        with tempfile.TemporaryDirectory(prefix="pyfame-rc-") as tmp:
            npz = stimuli.save(Path(tmp) / "stimuli.npz").read_bytes()
        fixed = {f"{LABEL}_{name}_trials.csv": table, f"{LABEL}_{name}.npz": npz,
                 f"{LABEL}_{name}_base.png": png_bytes(base)}
        return _LazyStimuli(fixed, stimuli, names)


__all__ = ["ReverseCorrelationStimuli"]

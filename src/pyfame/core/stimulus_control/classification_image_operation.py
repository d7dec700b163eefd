"""Classification images from 2IFC responses to a reverse-correlation stimulus set."""

from __future__ import annotations

import io
import os
import re
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pyfame.core.stimulus_control.rc_stimuli_operation import BRINKMAN_2017, DOTSCH_TODOROV_2012, RCICR
from pyfame.errors import FileReadError, PyfameError, PyfamePathError, PyfameTypeError, PyfameValueError
from pyfame.pipeline.operation import Made, Operation, OperationContext
from pyfame.pipeline.params import Choice, Integer, Number, Optional, Param
from pyfame.stimulus_control.reverse_correlation import (
    SCALINGS,
    ZMAPS,
    ClassificationImage,
    check_responses,
    classification_image,
    load_rc_stimuli,
)

#: Response tables PyFAME reads.
TABLE_SUFFIXES = (".csv", ".parquet")


def read_responses(path: Path) -> pd.DataFrame:
    """A response table (CSV or Parquet); a typed error naming ``responses`` otherwise.

    Examples
    --------
    >>> read_responses(Path("answers.xlsx"))
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: responses: answers.xlsx is not a table PyFAME reads (.csv, .parquet)
    """
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise PyfameValueError(f"responses: {path.name} is not a table PyFAME reads ({', '.join(TABLE_SUFFIXES)})",
                               param="responses")
    try:
        return pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise FileReadError(f"responses: {path} cannot be read as a table ({exc})", param="responses") from exc


def _safe(value: Any) -> str:
    """A group's value as a file-name part."""
    text = re.sub(r"[^A-Za-z0-9.+-]+", "-", str(value)).strip("-.")
    return text or "blank"


class ClassificationImageAnalysis(Operation):
    """Classification images from 2IFC responses to a set made by ``generate_rc_stimuli``
    (rcicr's analysis: Dotsch & Todorov, 2012; Brinkman et al., 2017).

    ``stimuli_dir`` is the stimulus set's folder (holding one ``rcic_<base>.npz``) or that
    ``.npz``; ``responses`` a table (CSV or Parquet) with ``trial`` (numbered from 1, as the
    stimulus files) and ``response``: 1 when the ``ori`` (base + noise) image was chosen, -1
    when the ``inv`` (base - noise) one was (rcicr's coding; 0/1 or 1/2 codes are refused with
    how to recode them), plus
    ``participant`` and ``condition`` columns for ``by``. Responses to a trial shown several
    times are averaged; the CI is the mean over trials of response x noise (rcicr's
    ``generateCINoise``), in noise units, times the stimuli's mask if the noise had one.

    **Scaling** (for the CI shown on the base, rcicr's ``applyScaling`` and ``combine``):
    ``"independent"`` (default) maps the CI to [0, 1] by ``(ci + c) / 2c`` with ``c = max
    |ci|`` (each CI its own c: not comparable between CIs), ``"constant"`` with the given
    ``constant`` (use one for CIs to be compared), ``"matched"`` onto the base's range,
    ``"none"`` the raw CI; the image is ``(scaled + base) / 2`` on a 0-1 scale.
    **Z-map** (``zmap``): each pixel against its spread under random response signs
    (``"noise_sd"``, exact; ``"permutation"``, by ``n_permutations`` sign flips from the run's
    seed) or rcicr's quick z-map (``"quick"``: blurred, standardised); shown from
    -``zmap_limit`` (blue) to +``zmap_limit`` (red), NaN (where the noise never reached) grey.

    **Writes** to ``output_dir/CI/``, for the whole table or each group of ``by``
    (``<set>_<by>-<value>_...``): ``<set>_ci.png`` (the CI on the base), ``<set>_ci.npy``
    (the raw CI, float32), ``<set>_zmap.png`` and ``<set>_zmap.npy``, and
    ``<set>_ci_summary.csv`` (one row per CI: trials, responses, the CI's range, the
    scaling constant, the largest |z|). ``<set>`` is the stimulus set's name (``rcic_face``).

    A response table naming trials the set does not have, responses other than -1/1, a
    missing column or a ``by`` column the table lacks is a typed error before any work.

    Examples
    --------
    >>> ClassificationImageAnalysis(by="participant", zmap="quick")
    ClassificationImageAnalysis(by='participant', zmap='quick')
    """

    name = "classification_image"
    subfolder = "CI"
    does = frozenset({"writes_tables"})  # no faces, no video
    inputs = ("stimuli_dir", "responses")
    input_kinds = {"responses": "table"}
    references = (DOTSCH_TODOROV_2012, BRINKMAN_2017, RCICR)

    by: str | None = Param(Optional(Choice(("participant", "condition"))), default=None,
                           help="One CI per participant or per condition (none: one CI of every response).")
    scaling: str = Param(Choice(tuple(SCALINGS)), default="independent",
                         help="How the CI is scaled onto the base for the CI image (rcicr's applyScaling).")
    constant: float = Param(Number(0.0, low_open=True), default=0.1, unit="noise units",
                            help="scaling='constant': the c of (ci + c) / 2c.")
    zmap: str | None = Param(Optional(Choice(tuple(ZMAPS))), default="noise_sd",
                             help="How the z-map is made (none: no z-map).")
    n_permutations: int = Param(Integer(10, 1_000_000), default=1000, help="zmap='permutation': sign flips drawn.")
    zmap_sigma: float = Param(Number(0.0, low_open=True), default=3.0, unit="px",
                              help="zmap='quick': blur before standardising (rcicr's 3).")
    zmap_limit: float = Param(Number(0.0, low_open=True), default=4.0, unit="z",
                              help="The z-map image's colour scale runs from -zmap_limit to +zmap_limit.")

    # ---- inputs ------------------------------------------------------------------------------
    def expand_input(self, name: str, value: Any, with_sub_dirs: bool = False) -> list[Path]:
        if name != "stimuli_dir":
            return super().expand_input(name, value, with_sub_dirs)
        items = [value] if isinstance(value, (str, os.PathLike)) else list(value) if isinstance(value, (list, tuple)) \
            else None
        if not items:
            raise PyfameTypeError(f"stimuli_dir must be a stimulus set's folder or its .npz, got {value!r}",
                                  param="stimuli_dir")
        found: list[Path] = []
        for item in items:
            path = Path(item)
            if not path.exists():
                raise PyfamePathError(f"stimuli_dir: {path} does not exist", param="stimuli_dir")
            found += sorted(p for p in path.glob("*.npz") if not p.name.startswith(".")) if path.is_dir() else [path]
        if len(found) != 1 or found[0].suffix.lower() != ".npz":
            what = ", ".join(p.name for p in found) or "no .npz"
            raise PyfameValueError(f"stimuli_dir must hold one stimulus set (a generate_rc_stimuli .npz), found {what}",
                                   param="stimuli_dir")
        return found

    def _n_trials(self, path: Path) -> int:
        try:
            with np.load(path, allow_pickle=False) as data:
                return int(data["params"].shape[0])
        except (OSError, ValueError, KeyError) as exc:
            raise FileReadError(f"stimuli_dir: {path} is not a stimulus set written by generate_rc_stimuli ({exc})",
                                param="stimuli_dir") from exc

    def _responses(self, sources: dict[str, list[Path]]) -> pd.DataFrame:
        """The checked response table (a typed error naming ``responses`` or ``by``)."""
        table = read_responses(sources["responses"][0])
        try:
            clean, _ = check_responses(table, self._n_trials(sources["stimuli_dir"][0]), self.by)
        except PyfameError as exc:
            exc.param = exc.param or "responses"  # check_responses names responses or by itself
            raise
        return clean

    def check_sources(self, sources: dict[str, list[Path]]) -> None:
        self._responses(sources)

    def _prefixes(self, sources: dict[str, list[Path]], responses: pd.DataFrame | None = None) -> dict[Any, str]:
        """Each CI's file-name prefix, by group (``None``: the one CI of every response)."""
        stem = sources["stimuli_dir"][0].stem
        if self.by is None:
            return {None: stem}
        table = self._responses(sources) if responses is None else responses
        groups = sorted(table[self.by].unique(), key=str)
        prefixes = {g: f"{stem}_{self.by}-{_safe(g)}" for g in groups}
        if len(set(prefixes.values())) != len(prefixes):
            raise PyfameValueError(f"by: two {self.by} values give the same file name once made safe "
                                   f"({', '.join(map(str, groups))}); rename them", param="by")
        return prefixes

    def output_names(self, sources: dict[str, list[Path]]) -> list[str]:
        prefixes = self._prefixes(sources)
        names = [f"{p}_{part}" for p in prefixes.values() for part in ("ci.png", "ci.npy", "zmap.png", "zmap.npy")
                 if self.zmap is not None or not part.startswith("zmap")]
        return [*names, f"{sources['stimuli_dir'][0].stem}_ci_summary.csv"]

    # ---- the work ----------------------------------------------------------------------------
    def make(self, sources: dict[str, list[Path]], context: OperationContext) -> Made:
        responses = self._responses(sources)
        stimuli = load_rc_stimuli(sources["stimuli_dir"][0])
        # one job per group (each CI and its z-map on its own; every group draws from the seed)
        groups = [(None, responses)] if self.by is None else list(responses.groupby(self.by, sort=True))
        found = context.map(partial(_one_ci, self, stimuli, context.seed), [rows for _, rows in groups])
        cis: dict[Any, ClassificationImage] = {name: ci for (name, _), ci in zip(groups, found)}
        prefixes = self._prefixes(sources, responses)
        made: dict[str, Any] = {}
        rows = []
        for group, ci in cis.items():
            prefix = prefixes[group]
            shown = ci.combined(stimuli.base, self.scaling, self.constant)
            made[f"{prefix}_ci.png"] = shown if shown.ndim == 3 else np.repeat(shown[..., None], 3, axis=2)
            made[f"{prefix}_ci.npy"] = _npy(ci.ci)
            if ci.zmap is not None:
                made[f"{prefix}_zmap.png"] = zmap_image(ci.zmap, self.zmap_limit)
                made[f"{prefix}_zmap.npy"] = _npy(ci.zmap)
            c = float(np.abs(ci.ci).max()) if self.scaling == "independent" else \
                self.constant if self.scaling == "constant" else float("nan")
            rows.append({"group": "all" if group is None else group, "by": self.by or "", "n_trials": ci.n_trials,
                         "n_responses": ci.n_responses, "ci_min": float(ci.ci.min()), "ci_max": float(ci.ci.max()),
                         "scaling": self.scaling, "scaling_constant": c, "zmap": ci.zmap_method or "",
                         "max_abs_z": float(np.nanmax(np.abs(ci.zmap))) if ci.zmap is not None and
                         np.isfinite(ci.zmap).any() else float("nan")})
        made[f"{sources['stimuli_dir'][0].stem}_ci_summary.csv"] = pd.DataFrame(rows)
        return made


def _one_ci(operation: ClassificationImageAnalysis, stimuli: Any, seed: int, responses: pd.DataFrame,
            context: OperationContext) -> ClassificationImage:
    """The CI (and z-map) of one group's responses (a job of :meth:`ClassificationImageAnalysis.make`)."""
    return classification_image(stimuli, responses, by=None, zmap=operation.zmap,  # type: ignore[return-value]
                                n_permutations=operation.n_permutations, seed=seed, zmap_sigma=operation.zmap_sigma)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array, np.float32), allow_pickle=False)
    return buffer.getvalue()


def zmap_image(zmap: np.ndarray, limit: float = 4.0) -> np.ndarray:
    """A z-map as an RGB uint8 image: blue (-``limit``) through white (0) to red (+``limit``),
    matplotlib's ``RdBu_r``; values beyond the limit at its colour, NaN mid-grey.

    Examples
    --------
    >>> zmap_image(np.array([[-9.0, 0.0, np.nan]], np.float32))[0].tolist()
    [[5, 48, 97], [247, 246, 246], [128, 128, 128]]
    """
    from matplotlib import colormaps

    z = np.asarray(zmap, np.float64)
    unit = np.clip(np.nan_to_num(z, nan=0.0) / limit, -1.0, 1.0) * 0.5 + 0.5
    rgb = np.rint(colormaps["RdBu_r"](unit)[..., :3] * 255.0).astype(np.uint8)
    rgb[~np.isfinite(z)] = 128
    return rgb


__all__ = ["ClassificationImageAnalysis"]

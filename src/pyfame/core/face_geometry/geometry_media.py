"""What the face-geometry family shares: its parameter kinds, the works it cites, and reading,
tracking and aligning its inputs.

Stills are tracked in IMAGE mode, videos frame by frame in VIDEO mode with the run's
tracker settings (:func:`~pyfame.core.stimulus_control.face_media.read_tracked`: a frame
without a face takes the nearest frame's mesh). Each input's *first* face is the one used.
Faces are put on one canvas by :func:`~pyfame.face.geometry.alignment.align_face` (a
similarity transform: rotation, uniform scale, translation; never a stretch), videos with
:class:`~pyfame.face.geometry.alignment.AlignmentSmoother`.

Examples
--------
>>> Weights().check(0.5, "weights"), Weights().parse("0, 0.5, 1", "weights")
([0.5], [0.0, 0.5, 1.0])
>>> FileStem().check("average", "output_filename")
'average'
>>> weight_label(0.25), weight_label(-0.5), weight_label(1.0), weight_label(1 / 3)
('025', 'm050', '100', '033.3')
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pyfame.core.stimulus_control.face_media import TrackedMedia, read_tracked
from pyfame.errors import PyfameError, PyfameTypeError, PyfameValueError
from pyfame.face.faces import N_LANDMARKS
from pyfame.face.geometry.alignment import AlignmentSmoother, align_face, alignment_matrix
from pyfame.io.media_kinds import IMAGE_EXTENSIONS, media_kind
from pyfame.pipeline.params import IntegerPair, Kind, Number, Regions

# ---- works cited ------------------------------------------------------------------------------

BENSON_PERRETT_1991 = ("Benson, P. J., & Perrett, D. I. (1991). Perception and recognition of photographic quality "
                       "facial caricatures: implications for the recognition of natural images. European Journal of "
                       "Cognitive Psychology, 3(1), 105-135.")
BENSON_PERRETT_1993 = ("Benson, P. J., & Perrett, D. I. (1993). Extracting prototypical facial images from exemplars. "
                       "Perception, 22(3), 257-262.")
TIDDEMAN_2001 = ("Tiddeman, B., Burt, M., & Perrett, D. (2001). Prototyping and transforming facial textures for "
                 "perception research. IEEE Computer Graphics and Applications, 21(5), 42-50.")
THOMPSON_1980 = "Thompson, P. (1980). Margaret Thatcher: a new illusion. Perception, 9(4), 483-484."
YOUNG_1987 = ("Young, A. W., Hellawell, D., & Hay, D. C. (1987). Configurational information in face perception. "
              "Perception, 16(6), 747-759.")
UMEYAMA_1991 = ("Umeyama, S. (1991). Least-squares estimation of transformation parameters between two point "
                "patterns. IEEE Transactions on Pattern Analysis and Machine Intelligence, 13(4), 376-380.")
CASIEZ_2012 = ("Casiez, G., Roussel, N., & Vogel, D. (2012). 1 euro filter: a simple speed-based low-pass filter for "
               "noisy input in interactive systems. Proceedings of CHI 2012, 2527-2530.")
HAIG_1984 = ("Haig, N. D. (1984). The effect of feature displacement on face recognition. Perception, 13(5), "
             "505-512.")
LE_GRAND_2001 = ("Le Grand, R., Mondloch, C. J., Maurer, D., & Brent, H. P. (2001). Early visual experience and "
                 "face processing. Nature, 410, 890.")

#: Units of the family's parameters.
EYE_DISTANCES = "eye distances"
CANVAS_PX = "px (width, height)"

#: The canvas every operation that combines faces puts them on, and where the eyes land.
DEFAULT_SIZE = (512, 512)
SIZE_KIND = IntegerPair(16, 8192)
EYE_Y_KIND = Number(0.0, 1.0)
EYE_DISTANCE_KIND = Number(0.0, 1.0, low_open=True)

#: Still formats written as they are; the others (JPEG, WebP) are written as PNG, so a
#: manipulation is not blurred again by lossy compression.
LOSSLESS = (".png", ".bmp", ".tif", ".tiff")
#: Table formats a template may be read from.
TABLE_SUFFIXES = (".csv", ".parquet")


# ---- parameter kinds ----------------------------------------------------------------------------


class Weights(Kind):
    """A non-empty list of finite numbers (one number is a list of one).

    Examples
    --------
    >>> Weights().check([0, 0.5, 1], "weights")
    [0.0, 0.5, 1.0]
    >>> Weights().check([], "weights")
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: weights must not be empty
    """

    annotation = list

    def check(self, value: Any, name: str) -> list[float]:
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            value = [value]
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise PyfameTypeError(f"{name} must be a number or a list of numbers, got {value!r}", param=name)
        items = list(value)
        if not items:
            raise PyfameValueError(f"{name} must not be empty", param=name)
        one = Number()
        return [one.check(v, f"{name}[{i}]") for i, v in enumerate(items)]

    def to_data(self, value: Any) -> Any:
        return list(value)

    def parse(self, text: str, name: str) -> Any:
        return [Number().parse(p.strip(), name) for p in text.split(",") if p.strip()]

    def describe(self) -> str:
        return "numbers, comma-separated"

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "number"}, {"type": "array", "items": {"type": "number"}, "minItems": 1}]}


class FileStem(Kind):
    """A plain file name without its extension (no folders).

    Examples
    --------
    >>> FileStem().check("../x", "output_filename")
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: output_filename must be a plain file name without folders, got '../x'
    """

    annotation = str

    def check(self, value: Any, name: str) -> str:
        if not isinstance(value, str):
            raise PyfameTypeError(f"{name} must be a file name, got {type(value).__name__}", param=name)
        text = value.strip()
        if not text or any(c in text for c in "/\\\0") or text in (".", ".."):
            raise PyfameValueError(f"{name} must be a plain file name without folders, got {value!r}", param=name)
        return text

    def describe(self) -> str:
        return "file name (no extension)"

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}


class FaceFeatures(Regions):
    """The features the Thatcher illusion turns: region names (``eyes`` is both eyes, each on
    its own; ``eyebrows`` both brows), mask types or Region objects. A region made of several
    closed loops (``both_eyes``, the eyes mask) is split into its loops, each a feature
    turned about its own centre; a half of the face is not a feature.

    Examples
    --------
    >>> [r.name for r in FaceFeatures().check(["eyes", "mouth"], "regions")]
    ['left_eye', 'right_eye', 'mouth']
    >>> FaceFeatures().to_data(FaceFeatures().check("both_eyes", "regions"))
    'left_eye+right_eye'
    """

    ALIASES = {"eyes": ("left_eye", "right_eye"), "eyebrows": ("left_eyebrow", "right_eyebrow")}

    def check(self, value: Any, name: str) -> list[Any]:
        from pyfame.face.regions import create_path, resolve_regions

        items = list(value) if isinstance(value, (list, tuple)) and not _is_pairs(value) else [value]
        expanded: list[Any] = []
        for item in items:
            parts = item.split("+") if isinstance(item, str) else [item]
            for part in parts:
                key = part.strip().lower() if isinstance(part, str) else None
                expanded.extend(self.ALIASES.get(key, (part,)) if key else (part,))
        regions = super().check(expanded, name)
        out = []
        for region in regions:
            if region.side is not None:
                raise PyfameValueError(f"{name}: {region.name!r} is half of the face, not a feature to turn",
                                       param=name)
            if len(region.include) > 1:
                out.extend(resolve_regions(create_path(loop), name)[0] for loop in region.include)
            else:
                out.append(region)
        unique = {r.name: r for r in out}
        return list(unique.values())

    def describe(self) -> str:
        return "face features (names joined by '+': eyes, mouth, nose, left_eyebrow, ...)"


def _is_pairs(value: Any) -> bool:
    return bool(value) and all(isinstance(p, tuple) and len(p) == 2 and all(isinstance(i, int) for i in p)
                               for p in value)


class ReferenceFace(Kind):
    """A reference face for caricatures: a still (its tracked mesh) or a template table (a
    ``.csv`` or ``.parquet`` with ``x``, ``y`` and optionally ``z`` for the 478 mesh points,
    as :func:`~pyfame.core.face_geometry.functions.average_faces` writes).

    Examples
    --------
    >>> ReferenceFace().check("average_template.csv", "reference")
    'average_template.csv'
    >>> ReferenceFace().check("notes.txt", "reference")
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: reference must be a face image or a template table (.csv, .parquet), got 'notes.txt'
    """

    annotation = str

    def check(self, value: Any, name: str) -> str:
        if not isinstance(value, (str, os.PathLike)):
            raise PyfameTypeError(f"{name} must be the path of a face image or a template table, got "
                                  f"{type(value).__name__}", param=name)
        text = os.fspath(value)
        suffix = Path(text).suffix.lower()
        if suffix not in IMAGE_EXTENSIONS and suffix not in TABLE_SUFFIXES:
            raise PyfameValueError(f"{name} must be a face image or a template table (.csv, .parquet), got {text!r}",
                                   param=name)
        return text

    def describe(self) -> str:
        return "a face image or a template table (.csv, .parquet)"

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}


def weight_label(weight: float) -> str:
    """A weight as a percentage for a file name: three digits (a decimal where it is not a
    whole percent), ``m`` for minus, so the files of a continuum sort in order."""
    percent = round(float(weight) * 100.0, 6)
    text = f"{abs(percent):03.0f}" if float(percent).is_integer() else f"{abs(percent):05.1f}"
    return ("m" if percent < 0 else "") + text


# ---- errors name their parameter --------------------------------------------------------------


@contextlib.contextmanager
def naming(name: str) -> Iterator[None]:
    """Give an error raised inside the block ``param=name`` when it names none."""
    try:
        yield
    except PyfameError as exc:
        exc.param = exc.param or name
        raise


# ---- inputs -----------------------------------------------------------------------------------------


def output_name(path: Path, suffix: str = "") -> str:
    """The name a manipulated input is written under: its own for lossless stills, ``.png`` for
    lossy ones (JPEG, WebP), ``.mp4`` for videos; ``suffix`` added to the stem.

    Examples
    --------
    >>> output_name(Path("a.png")), output_name(Path("b.JPG"), "_x"), output_name(Path("c.mov"))
    ('a.png', 'b_x.png', 'c.mp4')
    """
    ext = path.suffix.lower()
    if media_kind(path) == "video":
        return f"{path.stem}{suffix}.mp4"
    return f"{path.stem}{suffix}{path.suffix if ext in LOSSLESS else '.png'}"


def check_unique_names(names: list[tuple[str, Path]], name: str) -> None:
    """Two inputs that would be written under one name (``(output, input)`` pairs) are refused,
    naming both."""
    seen: dict[str, Path] = {}
    for out, path in names:
        key = out.lower()
        if key in seen:
            raise PyfameValueError(f"{name}: {seen[key]} and {path} would both be written as {out}; rename one",
                                   param=name)
        seen[key] = path


def one_file(sources: dict[str, list[Path]], name: str, what: str) -> Path:
    """The one file of input ``name`` (a typed error naming it otherwise)."""
    files = sources[name]
    if len(files) != 1:
        raise PyfameValueError(f"{name}: {what} takes one file, got {len(files)}", param=name)
    return files[0]


def stills_only(files: list[Path], name: str, what: str) -> None:
    """Refuse a video among ``files`` (an operation on stills), naming the input."""
    for path in files:
        if media_kind(path) != "image":
            raise PyfameValueError(f"{name}: {what} is made of stills, got the video {path.name}", param=name)


def track(path: Path, context: Any, name: str) -> TrackedMedia:
    """Every frame of ``path`` with its faces (a still without a face: a
    :class:`~pyfame.errors.FaceNotFoundError` naming the file and ``name``)."""
    with naming(name):
        return read_tracked(path, context, name)


def first_mesh(faces: Any) -> np.ndarray:
    """The first face's mesh, float64 ``(478, 3)``."""
    return np.asarray(faces.landmarks[0], np.float64)


# ---- alpha channels ------------------------------------------------------------------------------

#: What the face-geometry operations do with an input still's alpha channel.
WARPED_ALPHA = ("warped with the face like a colour channel (the same transform or warp, the same "
                "interpolation and mixing); canvas pixels outside the input are transparent (their colour is "
                "background_color)")
#: The alpha of canvas pixels outside an input: transparent (there is no image there).
TRANSPARENT = (0, 0, 0)


def alpha_as_image(alpha: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """An alpha channel as a grey RGB image (opaque when there is none: an RGB input in a set
    with RGBA ones), for the warps that take RGB: each warp treats the three channels alike,
    so channel 0 is the warped alpha.

    Examples
    --------
    >>> alpha_as_image(None, (2, 3, 3))[..., 0].tolist()
    [[255, 255, 255], [255, 255, 255]]
    """
    if alpha is None:
        return np.full((shape[0], shape[1], 3), 255, np.uint8)
    return np.ascontiguousarray(np.repeat(alpha[..., None], 3, axis=2))


def with_alpha(rgb: np.ndarray, alpha_rgb: np.ndarray | None) -> np.ndarray:
    """``rgb`` with an alpha channel (channel 0 of ``alpha_rgb``), RGBA ``(H, W, 4)``; ``rgb``
    itself when there is none.

    Examples
    --------
    >>> with_alpha(np.zeros((1, 1, 3), np.uint8), np.full((1, 1, 3), 9, np.uint8)).tolist()
    [[[0, 0, 0, 9]]]
    """
    if alpha_rgb is None:
        return rgb
    return np.dstack([rgb, alpha_rgb[..., 0]])


class Canvas:
    """Where faces are aligned to: a size ``(w, h)``, the eyes' height and distance (fractions
    of the canvas), a background colour and the vignette.

    Examples
    --------
    >>> from pyfame.face.geometry import example_face
    >>> face = example_face()
    >>> Canvas((128, 160)).still(face.image, face.landmarks).image.shape
    (160, 128, 3)
    """

    def __init__(self, size: tuple[int, int] = DEFAULT_SIZE, eye_y: float = 0.4, eye_distance: float = 0.3,
                 background_color: tuple[int, int, int] = (255, 255, 255), vignette: bool = False) -> None:
        self.size = (int(size[0]), int(size[1]))
        self.eye_y = float(eye_y)
        self.eye_distance = float(eye_distance)
        self.background_color = tuple(int(c) for c in background_color)
        self.vignette = bool(vignette)

    def still(self, image: np.ndarray, landmarks: np.ndarray, *, method: str = "eyes",
              reference: np.ndarray | None = None) -> Any:
        """One face aligned (an :class:`~pyfame.face.geometry.face_image.AlignedFace`)."""
        return align_face(image, landmarks, self.size, self.eye_y, self.eye_distance, method=method,  # type: ignore[arg-type]
                          reference_landmarks=reference, background_color=self.background_color,  # type: ignore[arg-type]
                          vignette=self.vignette)

    def alpha(self, alpha: np.ndarray | None, shape: tuple[int, ...], landmarks: np.ndarray,
              matrix: np.ndarray) -> np.ndarray:
        """An input's alpha channel (None: an opaque input of ``shape``) moved as its face was
        (``matrix``: the face's transform), as a grey RGB canvas (see :func:`alpha_as_image`):
        transparent outside the input and beyond the vignette."""
        return align_face(alpha_as_image(alpha, shape), landmarks, self.size, self.eye_y, self.eye_distance,
                          matrix=matrix, background_color=TRANSPARENT, vignette=self.vignette).image

    def eye_aligned_mesh(self, landmarks: np.ndarray) -> np.ndarray:
        """A mesh moved onto the canvas by its eye alignment (no pixels), float64."""
        m = alignment_matrix(landmarks, self.size, self.eye_y, self.eye_distance)
        lm = np.asarray(landmarks, np.float64)
        out = lm.copy()
        out[:, :2] = lm[:, :2] @ m[:, :2].T + m[:, 2]
        out[:, 2] = lm[:, 2] * math.sqrt(abs(np.linalg.det(m[:, :2])))
        return out

    def clip(self, item: TrackedMedia, *, smoothing: bool = True, min_cutoff: float = 1.0, beta: float = 0.5,
             method: str = "eyes", reference: np.ndarray | None = None) -> tuple[list[Any], list[np.ndarray]]:
        """Every frame of a video aligned, the transform smoothed over the frames (a
        head-stabilised clip); returns the aligned frames and the transforms used."""
        smoother = AlignmentSmoother(self.size, self.eye_y, self.eye_distance, min_cutoff=min_cutoff, beta=beta)
        rate = float(item.fps or 30.0)
        out, matrices = [], []
        for i, (frame, faces) in enumerate(zip(item.frames, item.faces)):
            mesh = first_mesh(faces)
            if smoothing:
                m = smoother.matrix(mesh, i / rate, method=method, reference_landmarks=reference)  # type: ignore[arg-type]
            else:
                m = alignment_matrix(mesh, self.size, self.eye_y, self.eye_distance, method=method,  # type: ignore[arg-type]
                                     reference_landmarks=reference)
            aligned = align_face(frame, mesh, self.size, self.eye_y, self.eye_distance, matrix=m,
                                 background_color=self.background_color, vignette=self.vignette)  # type: ignore[arg-type]
            out.append(aligned)
            matrices.append(m)
        return out, matrices


# ---- templates --------------------------------------------------------------------------------------


def template_table(mesh: np.ndarray) -> pd.DataFrame:
    """A mesh as a template table: one row per mesh point, ``landmark``, ``x``, ``y``, ``z``
    (pixels of the canvas it is on).

    Examples
    --------
    >>> template_table(np.zeros((478, 3))).shape
    (478, 4)
    """
    lm = np.asarray(mesh, np.float64)
    return pd.DataFrame({"landmark": np.arange(len(lm)), "x": lm[:, 0], "y": lm[:, 1], "z": lm[:, 2]})


def read_template(path: Path, name: str = "reference") -> np.ndarray:
    """A template table's mesh, float64 ``(478, 3)`` (``z`` 0 when the table has none); a typed
    error naming ``name`` when it is not one.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "t.csv"
    ...     template_table(np.ones((478, 3))).to_csv(p, index=False)
    ...     read_template(p).shape
    (478, 3)
    """
    try:
        table = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    except (OSError, ValueError, ImportError) as exc:
        raise PyfameValueError(f"{name}: {path} is not a readable table ({exc})", param=name) from exc
    missing = [c for c in ("x", "y") if c not in table.columns]
    if missing:
        raise PyfameValueError(f"{name}: {path.name} has no column {', '.join(missing)} (a template has landmark, x, "
                               "y, z: one row per mesh point)", param=name)
    if len(table) != N_LANDMARKS:
        raise PyfameValueError(f"{name}: {path.name} has {len(table)} rows; a template has one per mesh point "
                               f"({N_LANDMARKS})", param=name)
    if "landmark" in table.columns:
        table = table.sort_values("landmark")
    z = table["z"] if "z" in table.columns else np.zeros(len(table))
    try:
        mesh = np.stack([table["x"], table["y"], z], axis=1).astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise PyfameValueError(f"{name}: {path.name} holds values that are not numbers", param=name) from exc
    if not np.isfinite(mesh).all():
        raise PyfameValueError(f"{name}: {path.name} holds values that are not finite", param=name)
    return mesh


__all__: list[str] = []

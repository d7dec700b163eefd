"""The exception hierarchy of PyFAME.

Every error the package raises on purpose derives from :class:`PyfameError`. Where a
built-in exception fits, the class derives from it too, so ``except ValueError`` keeps
working for code that does not know PyFAME.

Examples
--------
>>> from pyfame.errors import PyfameError, FileReadError
>>> issubclass(FileReadError, OSError) and issubclass(FileReadError, PyfameError)
True
"""

from __future__ import annotations


class PyfameError(Exception):
    """Base class of every error PyFAME raises on purpose.

    ``param`` names the parameter the error is about, when there is one, so code can react
    to it without parsing the message.

    Examples
    --------
    >>> PyfameError("k_size must be odd", param="k_size").param
    'k_size'
    """

    def __init__(self, *args: object, param: str | None = None) -> None:
        super().__init__(*args)
        self.param = param


class PyfameTypeError(PyfameError, TypeError):
    """A parameter has the wrong type. The message names the parameter."""


class PyfameValueError(PyfameError, ValueError):
    """A parameter has a value out of range or unknown. The message names the parameter."""


class PyfamePathError(PyfameError, OSError):
    """A path does not exist, or is a folder where a file is needed (or the reverse)."""


class FileReadError(PyfameError, OSError):
    """A media file exists but cannot be read or decoded (empty, truncated, not media)."""


class FileWriteError(PyfameError, OSError):
    """An output cannot be written (unwritable folder, encoder failure)."""


class UnrecognizedExtensionError(PyfameError, ValueError):
    """A file's extension is not one PyFAME reads or writes."""


class FaceNotFoundError(PyfameError):
    """No face was found in an image, or in any frame of a video."""


class ImageShapeError(PyfameError, ValueError):
    """An image or frame has a shape or dtype PyFAME cannot work with."""


class ModelFileError(PyfameError, OSError):
    """The bundled face model is missing or does not match its published sha256."""


__all__ = [
    "FaceNotFoundError",
    "FileReadError",
    "FileWriteError",
    "ImageShapeError",
    "ModelFileError",
    "PyfameError",
    "PyfamePathError",
    "PyfameTypeError",
    "PyfameValueError",
    "UnrecognizedExtensionError",
]

"""``setup_logging``: configure PyFAME's loggers from a YAML file or a sensible default."""

from __future__ import annotations

import logging
import logging.config
import os
from pathlib import Path
from typing import Any

from pyfame.errors import FileReadError, PyfamePathError, PyfameValueError

DEFAULT_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "level": "WARNING", "formatter": "plain"}},
    "loggers": {"pyfame": {"level": "INFO", "handlers": ["stderr"], "propagate": False}},
}


#: The only objects a logging configuration may name with ``ext://``.
EXTERNAL_OBJECTS = ("ext://sys.stdout", "ext://sys.stderr")


def _allowed_class(name: Any) -> bool:
    """A handler, formatter or filter class of the standard library's ``logging`` (by its
    dotted name), which dictConfig may instantiate; nothing else is imported."""
    import logging.handlers

    if not isinstance(name, str):
        return False
    module, _, attr = name.rpartition(".")
    if module not in ("logging", "logging.handlers") or not attr or attr.startswith("_"):
        return False
    cls = getattr(logging.handlers if module == "logging.handlers" else logging, attr, None)
    return isinstance(cls, type) and issubclass(cls, (logging.Handler, logging.Formatter, logging.Filter))


def check_logging_config(config: Any, source: str = "config_path", key: str = "") -> None:
    """Refuse what would make a logging configuration run code: a ``()`` factory anywhere,
    a ``class`` that is not one of :mod:`logging`'s handlers, formatters or filters, and an
    ``ext://`` object other than ``sys.stdout`` and ``sys.stderr``. The error names the key.

    Examples
    --------
    >>> check_logging_config({"version": 1, "handlers": {"h": {"class": "logging.StreamHandler"}}})
    >>> check_logging_config({"version": 1, "handlers": {"h": {"()": "subprocess.call"}}})
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: config_path: handlers.h.(): factories ('()') are not allowed in a logging configuration (they run code); use 'class' with one of logging's handlers
    """
    if isinstance(config, dict):
        for name, value in config.items():
            path = f"{key}.{name}" if key else str(name)
            if name == "()":
                raise PyfameValueError(f"{source}: {path}: factories ('()') are not allowed in a logging configuration "
                                       "(they run code); use 'class' with one of logging's handlers",
                                       param="config_path")
            if name == "class" and not _allowed_class(value):
                raise PyfameValueError(f"{source}: {path}: {value!r} is not one of logging's handler, formatter or "
                                       "filter classes (logging.* or logging.handlers.*); nothing else is imported",
                                       param="config_path")
            check_logging_config(value, source, path)
    elif isinstance(config, list):
        for i, value in enumerate(config):
            check_logging_config(value, source, f"{key}[{i}]")
    elif isinstance(config, str) and config.startswith("ext://") and config not in EXTERNAL_OBJECTS:
        raise PyfameValueError(f"{source}: {key}: {config!r} is not allowed (only {', '.join(EXTERNAL_OBJECTS)})",
                               param="config_path")


def setup_logging(config_path: str | os.PathLike[str] | None = None, log_file: str | os.PathLike[str] | None = None) -> None:
    """Configure the ``pyfame`` loggers.

    With ``config_path``, a YAML file in :mod:`logging.config` dictConfig form is applied,
    after checks that keep it from running code: YAML anchors and aliases are refused (as in
    experiment files: no expansion), and so are ``()`` factories, classes other than
    :mod:`logging`'s own handlers, formatters and filters, and ``ext://`` objects other than
    ``sys.stdout``/``sys.stderr`` (:func:`check_logging_config`), each a
    ``PyfameValueError`` naming the key. Handlers write where the file says (a log file
    anywhere, or a network handler such as ``logging.handlers.SocketHandler`` if you name one).
    Without it, warnings go to stderr; ``log_file`` adds a rotating file (1 MB × 3) that
    receives INFO and above (per-frame face misses, cache hits).

    Examples
    --------
    >>> setup_logging()
    """
    if config_path is not None:
        import yaml

        from pyfame.experiment.yaml_with_lines import refuse_aliases

        path = Path(config_path)
        if not path.is_file():
            raise PyfamePathError(f"config_path: {path} does not exist", param="config_path")
        text = path.read_text()
        refuse_aliases(text, str(path), PyfameValueError, param="config_path")
        try:
            config = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise FileReadError(f"config_path: {path} is not valid YAML ({exc})", param="config_path") from exc
        if not isinstance(config, dict) or "version" not in config:
            raise PyfameValueError(f"config_path: {path} must hold a logging dictConfig mapping with 'version: 1'",
                                   param="config_path")
        check_logging_config(config, f"config_path: {path}")
        try:
            logging.config.dictConfig(config)
        except (ValueError, TypeError, AttributeError, ImportError) as exc:
            raise PyfameValueError(f"config_path: {path} is not a valid logging configuration ({exc})",
                                   param="config_path") from exc
        return
    config = {**DEFAULT_CONFIG, "handlers": dict(DEFAULT_CONFIG["handlers"]),
              "loggers": {"pyfame": dict(DEFAULT_CONFIG["loggers"]["pyfame"])}}
    if log_file is not None:
        config["handlers"]["file"] = {"class": "logging.handlers.RotatingFileHandler", "level": "INFO",
                                      "formatter": "plain", "filename": str(log_file), "maxBytes": 1_000_000,
                                      "backupCount": 3}
        config["loggers"]["pyfame"]["handlers"] = ["stderr", "file"]
    logging.config.dictConfig(config)

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


def setup_logging(config_path: str | os.PathLike[str] | None = None, log_file: str | os.PathLike[str] | None = None) -> None:
    """Configure the ``pyfame`` loggers.

    With ``config_path``, a YAML file in :mod:`logging.config` dictConfig form is applied.
    Without it, warnings go to stderr; ``log_file`` adds a rotating file (1 MB × 3) that
    receives INFO and above (per-frame face misses, cache hits).

    Examples
    --------
    >>> setup_logging()
    """
    if config_path is not None:
        import yaml

        path = Path(config_path)
        if not path.is_file():
            raise PyfamePathError(f"config_path: {path} does not exist")
        try:
            config = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise FileReadError(f"config_path: {path} is not valid YAML ({exc})") from exc
        if not isinstance(config, dict) or "version" not in config:
            raise PyfameValueError(f"config_path: {path} must hold a logging dictConfig mapping with 'version: 1'")
        try:
            logging.config.dictConfig(config)
        except (ValueError, TypeError, AttributeError, ImportError) as exc:
            raise PyfameValueError(f"config_path: {path} is not a valid logging configuration ({exc})") from exc
        return
    config = {**DEFAULT_CONFIG, "handlers": dict(DEFAULT_CONFIG["handlers"]),
              "loggers": {"pyfame": dict(DEFAULT_CONFIG["loggers"]["pyfame"])}}
    if log_file is not None:
        config["handlers"]["file"] = {"class": "logging.handlers.RotatingFileHandler", "level": "INFO",
                                      "formatter": "plain", "filename": str(log_file), "maxBytes": 1_000_000,
                                      "backupCount": 3}
        config["loggers"]["pyfame"]["handlers"] = ["stderr", "file"]
    logging.config.dictConfig(config)

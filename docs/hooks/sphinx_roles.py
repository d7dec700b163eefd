"""MkDocs hook: Sphinx cross-reference roles in docstrings (``:class:`~pyfame.io.Frame```,
the NumPy docstring convention) shown as plain code names instead of raw role text."""

from __future__ import annotations

import re
from typing import Any

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj|const):<code>(~?)([\w.]+)(\(\))?</code>")


def _name(match: re.Match[str]) -> str:
    short, target, call = match.group(1), match.group(2), match.group(3) or ""
    return f"<code>{target.rsplit('.', 1)[-1] if short else target}{call}</code>"


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    return ROLE.sub(_name, html)

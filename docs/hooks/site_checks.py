"""MkDocs hook: fail a strict build whose pages show raw Sphinx roles (``:meth:`x```, left
in text the role hook could not reach) or code lines wider than the page (over
:data:`MAX_CODE_LINE` characters), naming the page and the line."""

from __future__ import annotations

import html
import logging
import re
from typing import Any

log = logging.getLogger("mkdocs.plugins.pyfame_site_checks")

#: The widest code line a page may show (characters); the theme fits about 100 without a
#: scroll bar.
MAX_CODE_LINE = 100
RAW_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj|const):`")
CODE_BLOCK = re.compile(r"<pre[^>]*>(.*?)</pre>", re.S)
TAG = re.compile(r"<[^>]+>")


def problems(page_html: str) -> list[str]:
    """What is wrong with one page's HTML (empty when nothing is).

    >>> problems('<p>see :meth:`apply`</p><pre><code>' + 'x' * 101 + '</code></pre>')[0]
    'a raw Sphinx role: see :meth:`apply`'
    >>> len(problems('<pre><code>' + 'x' * 101 + '</code></pre>'))
    1
    """
    found = []
    text = html.unescape(TAG.sub("", page_html))
    for match in RAW_ROLE.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        found.append("a raw Sphinx role: " + text[start:end if end >= 0 else None].strip()[:120])
    for block in CODE_BLOCK.findall(page_html):
        for line in html.unescape(TAG.sub("", block)).splitlines():
            if len(line.rstrip()) > MAX_CODE_LINE:
                found.append(f"a code line of {len(line.rstrip())} characters (over {MAX_CODE_LINE}): "
                             f"{line.strip()[:80]}...")
    return found


def on_post_page(output: str, page: Any, config: Any) -> str:
    for problem in problems(output):
        log.warning("%s: %s", page.file.src_uri, problem)  # a warning fails `mkdocs build --strict`
    return output

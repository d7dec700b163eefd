"""MkDocs hook: the table of every registered layer, probe and frame plan, made from their
declarations at build time (so it can never go stale). It replaces ``<!-- layer-table -->``."""

from __future__ import annotations

from typing import Any

MARKER = "<!-- layer-table -->"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def layer_table() -> str:
    from pyfame.pipeline.params import REQUIRED
    from pyfame.pipeline.registry import registered

    out: list[str] = []
    for family, title in (("layer", "Layers"), ("probe", "Probes"), ("frame_plan", "Frame plans"), ("operation", "Operations")):
        out += [f"### {title}", ""]
        for cls in registered(family).values():
            if cls.__module__.startswith("tests"):
                continue
            summary = " ".join(((cls.__doc__ or "").strip().split("\n\n")[0]).split())
            out += [f"#### `{cls.name}`", "", summary, "",
                    f"Class `{cls.__module__}.{cls.__name__}` · command `pyfame {cls.name.replace('_', '-')}` · "
                    f"writes `{cls.subfolder}/`" + (f" (names tagged `_{cls.output_tag}`)" if getattr(
                        cls, "output_tag", "") else ""), "",
                    "| parameter | kind | default | unit | what it does |", "|---|---|---|---|---|"]
            for p in cls.parameters.values():
                default = "required" if p.default is REQUIRED else f"`{p.default_data()!r}`"
                out.append(f"| `{p.name}` | {_cell(p.kind.describe())} | {_cell(default)} | {_cell(p.unit or '')} | "
                           f"{_cell(p.help)} |")
            out.append("")
    return "\n".join(out)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, layer_table())
    return markdown

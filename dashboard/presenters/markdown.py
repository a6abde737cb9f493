"""doc_md rendered as Markdown, never as raw HTML: a DAG author cannot put script in a page."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup


@lru_cache(maxsize=1)
def _renderer():  # -> MarkdownIt
    from markdown_it import MarkdownIt

    # html=False escapes any HTML in the source; markdown-it also refuses javascript: links
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for ``text`` (every tag the author wrote comes out escaped)."""
    if not text:
        return Markup("")
    return Markup(_renderer().render(text))

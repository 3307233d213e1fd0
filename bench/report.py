"""docs/BENCHMARKS.md is written by several bench scripts, each owning one marked section of it.

A section is the text between `<!-- section: NAME -->` and `<!-- /section: NAME -->`. `update_section`
replaces a script's section in place, or appends it, so each script can be rerun alone without touching
the figures the others wrote. bench/quality.py owns the first section, "quality" (the title, the short
answer and the repair tables).
"""

import re
from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- section: {name} -->", f"<!-- /section: {name} -->"


def update_section(name: str, markdown: str, path: Path = REPORT) -> None:
    """Put `markdown` in section `name` of the report at `path`: in place if it exists, else at the end."""
    start, end = _markers(name)
    block = f"{start}\n{markdown.strip()}\n{end}\n"
    text = path.read_text() if path.is_file() else ""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + block
    path.write_text(text)

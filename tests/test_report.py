"""bench/report.py: each bench script rewrites its own section of docs/BENCHMARKS.md and nothing else."""

from bench.report import update_section


def test_sections_are_appended_then_replaced_in_place(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    update_section("quality", "# Benchmarks\n\nold figures", path)
    update_section("generate", "## Generate\n\n90%", path)
    update_section("quality", "# Benchmarks\n\nnew figures", path)
    text = path.read_text()
    assert "old figures" not in text and "new figures" in text and "90%" in text
    assert text.index("new figures") < text.index("## Generate")  # replaced where it was
    assert text.count("<!-- section: quality -->") == 1 and text.count("<!-- /section: generate -->") == 1


def test_a_section_may_hold_regex_and_backslash_text(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    update_section("x", r"a \1 b $0 (.*)", path)
    update_section("x", r"c \2 d", path)
    assert r"c \2 d" in path.read_text() and r"\1" not in path.read_text()

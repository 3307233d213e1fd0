"""The checkouts a benchmark compares: this working tree, and an older commit in a temporary git worktree.

bench/ws_load.py and bench/app_latency.py measure `--compare REV` and then the working tree, one after the
other in one run, both served by this repository's venv.
"""

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def git(*command: str) -> str:
    """Run git in this repository; its output, stripped."""
    return subprocess.run(["git", "-C", str(REPO), *command], check=True, capture_output=True, text=True).stdout.strip()


def working_tree() -> str:
    """This checkout's label: "working tree on <commit>", with "+ changes" when it has uncommitted ones."""
    changed = git("status", "--porcelain", "--untracked-files=no")
    return f"working tree on {git('rev-parse', '--short', 'HEAD')}" + (" + changes" if changed else "")


@contextmanager
def worktree(rev: str) -> Iterator[tuple[str, str, Path]]:
    """A temporary `git worktree --detach` of `rev`, removed afterwards even on error: (label, commit, path)."""
    commit = git("rev-parse", "--short", rev)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tree = Path(tmp) / commit
        git("worktree", "add", "--detach", str(tree), rev)
        try:
            yield (rev if commit.startswith(rev) else f"{rev} ({commit})"), commit, tree
        finally:
            git("worktree", "remove", "--force", str(tree))

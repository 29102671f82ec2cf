"""Site-wide rules for exercises and for the asserts a reader has to read past.

1. Every top-level numbered item of a chapter's ``## Exercises`` section is a
   self-checking exercise: it holds a ``<!--pagerun:starter NAME-->``, a
   ``<!--pagerun:check NAME-->`` and a ``<!--pagerun:solution NAME-->`` with
   the same NAME (the engine then proves the check both ways).
2. The visible ``assert`` lines in lesson fences (not guard fences, not
   exercise parts, not inside a collapsed "Solution" block; lines a fence
   includes from a snippet file count) stay under a budget site-wide. An
   assert that only keeps a prose number honest goes in a fence marked
   ``<!--pagerun:guard-->``, which the site shows folded away.

Nothing here runs a page: the pages are only read, so this module is fast.
Each rule is also shown to catch a broken page written to ``tmp_path``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pagerun.page import FenceKind, load_page
from pagerun.walk import ItemKind, walk

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHAPTERS = sorted((DOCS / "chapters").glob("*.md"))

#: Fewer visible asserts than this on the whole site (issue 13).
ASSERT_BUDGET = 60

PARTS = ("starter", "check", "solution")
MARKER = re.compile(r"<!--\s*pagerun:(?P<part>starter|check|solution)\s+(?P<name>[\w-]+)\s*-->")
ITEM = re.compile(r"(?P<number>\d+)\.\s+(?P<text>.*)")
ASSERT = re.compile(r"\s*assert\b")


def _first_words(text: str, count: int = 8) -> str:
    words = re.sub(r"[*_`]", "", text).split()
    return " ".join(words[:count]) + (" ..." if len(words) > count else "")


def exercise_items(text: str) -> list[tuple[int, str, list[str]]]:
    """Split a page's ``## Exercises`` section into its top-level numbered items.

    Args:
        text: The page's Markdown.

    Returns:
        One ``(line number, first words, lines)`` per item, line numbers from 1;
        empty when the page has no Exercises section.
    """
    lines = text.splitlines()
    items: list[tuple[int, str, list[str]]] = []
    in_section = in_fence = False
    for number, line in enumerate(lines, start=1):
        if line.startswith("```"):  # a fence at the margin: its lines are not Markdown
            in_fence = not in_fence
        if in_fence or line.startswith("```"):
            if items and in_section:
                items[-1][2].append(line)
            continue
        if line.startswith("## "):
            in_section = line.strip() == "## Exercises"
            continue
        if not in_section:
            continue
        match = ITEM.match(line)
        if match:
            items.append((number, _first_words(match["text"]), [line]))
        elif items:
            items[-1][2].append(line)
    return items


def exercise_problems(path: Path, root: Path = ROOT) -> list[str]:
    """Name every exercise of a page that lacks a starter, a check or a solution.

    Args:
        path: A Markdown page.
        root: Where page names in the messages are relative to.

    Returns:
        One message per incomplete exercise: the page, the line, the item's
        first words and what it lacks. Empty when every exercise is complete.
    """
    try:
        name = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        name = str(path)
    problems = []
    for line, words, item_lines in exercise_items(path.read_text(encoding="utf-8")):
        parts: dict[str, set[str]] = {}
        for item_line in item_lines:
            for match in MARKER.finditer(item_line):
                parts.setdefault(match["name"], set()).add(match["part"])
        if not parts:
            problems.append(
                f"{name}:{line}: exercise '{words}' has no starter, check or solution "
                "(<!--pagerun:starter NAME-->, <!--pagerun:check NAME-->, "
                "<!--pagerun:solution NAME--> above its fences)"
            )
        for exercise, found in sorted(parts.items()):
            missing = [part for part in PARTS if part not in found]
            if missing:
                problems.append(
                    f"{name}:{line}: exercise '{words}' ({exercise}) has no "
                    f"{' and no '.join(missing)}: add <!--pagerun:{missing[0]} {exercise}--> "
                    "above its fence"
                )
    return problems


def visible_asserts(path: Path, root: Path = ROOT) -> int:
    """Count the ``assert`` lines a reader sees in a page's lesson fences.

    Guard fences, exercise parts (starter, check, solution) and fences inside a
    "Solution" block do not count; lines a fence includes from a snippet do.

    Args:
        path: A Markdown page.
        root: The project root (for snippet includes).

    Returns:
        The number of visible assert lines.
    """
    page = load_page(path, root)
    count = 0
    for item in walk(page):
        if item.kind is not ItemKind.CODE or item.fence is None:
            continue
        fence = item.fence
        if fence.kind is not FenceKind.LESSON or fence.guard or item.in_solution():
            continue
        count += sum(1 for line in fence.code.splitlines() if ASSERT.match(line))
    return count


def assert_counts(pages: list[Path], root: Path = ROOT) -> dict[str, int]:
    """Visible asserts per page, for the pages that have any, by page name."""
    counts = {}
    for path in pages:
        count = visible_asserts(path, root)
        if count:
            counts[path.resolve().relative_to(root.resolve()).as_posix()] = count
    return counts


def over_budget(counts: dict[str, int], budget: int = ASSERT_BUDGET) -> str | None:
    """Say how far over the budget the visible asserts are, page by page, or None."""
    total = sum(counts.values())
    if total < budget:
        return None
    listing = "\n".join(
        f"  {count:3d}  {page}" for page, count in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    return (
        f"{total} visible asserts in lesson fences, the budget is under {budget}. Keep an assert "
        "where it teaches (a shape check, a gradient against autograd); move the ones that only "
        "guard a prose number into a fence marked <!--pagerun:guard--> right after.\n" + listing
    )


# --- the site ---------------------------------------------------------------


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_every_exercise_has_a_starter_a_check_and_a_solution(path):
    problems = exercise_problems(path)
    assert not problems, "\n".join(problems)


def test_visible_asserts_stay_under_the_budget():
    message = over_budget(assert_counts(sorted(DOCS.rglob("*.md"))))
    assert message is None, message


# --- the rules catch broken pages ------------------------------------------

EXERCISE = """\
1. **{title}.** Write `f()`, which returns 1.

    <!--pagerun:starter {name}-->
    ```python
    def f():
        ...  # your code here
    ```
{check}
    ??? success "Solution"

        <!--pagerun:solution {name}-->
        ```python
        def f():
            return 1
        ```
"""

CHECK = """
    Run this to check your answer:

    <!--pagerun:check {name}-->
    ```python
    assert f() == 1
    ```
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / "mkdocs.yml").write_text("site_name: test\n", encoding="utf-8")
    path = tmp_path / "docs" / "chapters" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_complete_exercise_passes(tmp_path):
    text = "# T\n\n## Exercises\n\n" + EXERCISE.format(
        title="Complete", name="one", check=CHECK.format(name="one")
    )
    assert exercise_problems(_write(tmp_path, "good.md", text), tmp_path) == []


def test_an_exercise_without_a_check_is_named(tmp_path):
    text = (
        "# T\n\n## 1. Lesson\n\n1. Not an exercise.\n\n## Exercises\n\n"
        + EXERCISE.format(title="Complete", name="one", check=CHECK.format(name="one"))
        + "\n"
        + EXERCISE.replace("1. ", "2. ", 1).format(title="No check here", name="two", check="")
        + "\n## What's next?\n\n1. Not an exercise either.\n"
    )
    path = _write(tmp_path, "broken.md", text)
    line = text.splitlines().index("2. **No check here.** Write `f()`, which returns 1.") + 1
    assert exercise_problems(path, tmp_path) == [
        f"docs/chapters/broken.md:{line}: exercise 'No check here. Write f(), which returns 1.' "
        "(two) has no check: add <!--pagerun:check two--> above its fence"
    ]


def test_an_exercise_with_no_parts_is_named(tmp_path):
    text = "# T\n\n## Exercises\n\n1. **Explain** why the loss rises.\n\n    It rises.\n"
    (problem,) = exercise_problems(_write(tmp_path, "bare.md", text), tmp_path)
    assert problem.startswith("docs/chapters/bare.md:5: exercise 'Explain why the loss rises.'")
    assert "no starter, check or solution" in problem


def test_sixty_visible_asserts_break_the_budget(tmp_path):
    lesson = "```python\nx = 1\n" + "assert x == 1\n" * 30 + "```\n"
    guard = "<!--pagerun:guard-->\n```python\n" + "assert x == 1\n" * 40 + "```\n"
    solution = (
        '??? success "Solution"\n\n    ```python\n' + "    assert x == 1\n" * 40 + "    ```\n"
    )
    text = f"# T\n\n{lesson}\n{guard}\n{lesson}\n{solution}"
    path = _write(tmp_path, "asserts.md", text)
    assert visible_asserts(path, tmp_path) == 60  # the guard and the solution do not count
    counts = assert_counts([path], tmp_path)
    assert counts == {"docs/chapters/asserts.md": 60}
    message = over_budget(counts)
    assert message is not None and "60 visible asserts" in message
    assert " 60  docs/chapters/asserts.md" in message
    assert over_budget({"docs/chapters/asserts.md": ASSERT_BUDGET - 1}) is None

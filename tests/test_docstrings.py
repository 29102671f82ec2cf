"""Every "Introduced in chapter N, ..." line agrees with the real chapters.

The chapter numbers come from the nav in mkdocs.yml (labels such as
"8. Project, breast cancer: chapters/breast-cancer.md"), the titles from each
chapter page's H1 (its first ``# `` line). A helper's docstring must say, in
exactly this form::

    Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

and any other reference to a chapter in a docstring must carry the same
number and title, so none can drift when chapters are renamed or reordered.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
import yaml

import practical_dl

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

INTRODUCED = re.compile(r'Introduced in chapter (\d+), "([^"]+)"\.')
# A reference to a chapter by number and title, anywhere in a docstring.
NUMBERED = re.compile(r'\b[Cc]hapter (\d+), "([^"]+)"')
# The old, hand-typed forms: a title without its number.
UNNUMBERED = re.compile(r'\b[Cc]hapters? "([^"]+)"')


class _IgnoreTags(yaml.SafeLoader):
    """Read mkdocs.yml without building its !!python/name objects."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)


def _nav_chapters() -> dict[int, tuple[str, str]]:
    """Map chapter number to (nav label, page path) for every numbered chapter page."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_IgnoreTags)
    chapters: dict[int, tuple[str, str]] = {}

    def walk(entries: object) -> None:
        if isinstance(entries, list):
            for entry in entries:
                walk(entry)
        elif isinstance(entries, dict):
            for label, target in entries.items():
                if isinstance(target, str):
                    match = re.match(r"(\d+)\.\s", str(label))
                    if match and target.startswith("chapters/") and target.endswith(".md"):
                        chapters[int(match.group(1))] = (str(label), target)
                else:
                    walk(target)

    walk(config["nav"])
    return chapters


def _h1(page: str) -> str:
    for line in (DOCS / page).read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise AssertionError(f"docs/{page} has no '# ' heading")


CHAPTERS = _nav_chapters()
TITLES = {number: _h1(page) for number, (_, page) in CHAPTERS.items()}
NUMBER_OF = {title: number for number, title in TITLES.items()}

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(practical_dl.__path__, prefix="practical_dl.")
    if not info.ispkg
)


def _expected(number: int) -> str:
    return f'Introduced in chapter {number}, "{TITLES[number]}".'


def _reference(number: int) -> str:
    return f'chapter {number}, "{TITLES[number]}"'


def _guess(text: str) -> int | None:
    """Guess which chapter a wrong reference means, from a title or number it mentions."""
    for title, number in NUMBER_OF.items():
        if f'"{title}"' in text or f'"{title.replace("`", "")}"' in text:
            return number
    quoted = re.search(r'"([^"]+)"', text)
    if quoted:
        for title, number in NUMBER_OF.items():  # a drifted title: match on its first word
            if title.split()[0].strip(":,") == quoted.group(1).split()[0].strip(":,"):
                return number
    number = re.search(r"chapter (\d+)", text)
    if number and int(number.group(1)) in TITLES:
        return int(number.group(1))
    return None


def _should(text: str, introduced: bool) -> str:
    number = _guess(text)
    if number is None:
        return 'Introduced in chapter N, "<the chapter\'s H1>".' if introduced else "its number"
    return _expected(number) if introduced else _reference(number)


def _docstrings(module_name: str) -> list[tuple[str, str]]:
    """The module's docstring and those of the functions, classes and methods it defines."""
    module = importlib.import_module(module_name)
    found = [(module_name, inspect.cleandoc(module.__doc__ or ""))]
    for name, obj in vars(module).items():
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        if getattr(obj, "__module__", None) != module_name:
            continue
        found.append((f"{module_name}.{name}", obj.__doc__ or ""))
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if inspect.isfunction(member) and member.__doc__:
                    found.append((f"{module_name}.{name}.{attr}", member.__doc__))
    return found


def _problems(where: str, doc: str) -> list[str]:
    text = " ".join(doc.split())
    problems = []
    starts = [m.start() for m in re.finditer("Introduced in", text)]
    for start in starts:
        says = text[start : start + 110]
        if not INTRODUCED.match(text, start):
            problems.append(f'{where} says "{says}..."; it should say "{_should(says, True)}"')
    for match in NUMBERED.finditer(text):
        number, title = int(match.group(1)), match.group(2)
        introduced = text[max(0, match.start() - 14) : match.start()] == "Introduced in "
        should = _should(match.group(0), introduced)
        if number not in TITLES:
            problems.append(
                f"{where} names chapter {number}, which the nav of mkdocs.yml does not have; "
                f'it should say "{should}"'
            )
        elif TITLES[number] != title:
            problems.append(
                f'{where} says chapter {number} is "{title}"; its H1 is "{TITLES[number]}" '
                f'(docs/{CHAPTERS[number][1]}), so it should say "{should}"'
            )
    for match in UNNUMBERED.finditer(text):
        if any(0 <= match.start() - start <= 18 for start in starts):
            continue  # an "Introduced in the chapter ..." line, reported above
        problems.append(
            f'{where} names a chapter without its number: "{match.group(0)}"; '
            f'it should say "{_should(match.group(0), False)}"'
        )
    return problems


def test_the_nav_numbers_every_chapter_once_from_one():
    assert sorted(CHAPTERS) == list(range(1, len(CHAPTERS) + 1)), CHAPTERS


@pytest.mark.parametrize("module_name", MODULES)
def test_chapter_references_match_the_nav_and_the_h1(module_name):
    problems = [p for where, doc in _docstrings(module_name) for p in _problems(where, doc)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module_name", [m for m in MODULES if "._" not in m])
def test_every_public_helper_names_its_chapter(module_name):
    module = importlib.import_module(module_name)
    if INTRODUCED.search(" ".join((module.__doc__ or "").split())):
        return  # the module's own line covers every helper in it
    public = getattr(module, "__all__", None)
    if public is None:
        public = [n for n in vars(module) if not n.startswith("_")]
    missing = []
    for name in public:
        obj = getattr(module, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        if getattr(obj, "__module__", None) != module_name:
            continue  # re-exported: checked in the module that defines it
        if not INTRODUCED.search(" ".join((obj.__doc__ or "").split())):
            missing.append(f"{module_name}.{name}")
    assert not missing, (
        "no 'Introduced in chapter N, \"<title>\".' line in their docstrings or their "
        f"module's: {', '.join(missing)}"
    )


def test_reference_index_names_the_chapter_each_module_was_introduced_in():
    """The table in docs/reference/index.md says "Chapter N." as the module docstring does."""
    index = (DOCS / "reference" / "index.md").read_text(encoding="utf-8")
    problems = []
    for module_name, cell in re.findall(r"\[`(practical_dl[.\w]*)`\]\([^)]*\)\s*\|(.*)\|", index):
        stated = re.findall(r"Chapters? (\d+)", cell)
        module = importlib.import_module(module_name)
        introduced = INTRODUCED.search(" ".join((module.__doc__ or "").split()))
        if introduced is None or not stated:
            continue
        if int(stated[0]) != int(introduced.group(1)):
            problems.append(
                f"docs/reference/index.md says {module_name} is from chapter {stated[0]}; "
                f"its docstring says chapter {introduced.group(1)}"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "doc, fix",
    [
        (
            'Introduced in the chapter "Getting started".',
            'Introduced in chapter 1, "Getting started".',
        ),
        (
            'Introduced in chapter 8, "Project: a breast-cancer classifier".',
            f'Introduced in chapter 8, "{TITLES[8]}".',
        ),
        ('Introduced in chapter 2, "Autograd".', 'Introduced in chapter 3, "Autograd".'),
        ('Introduced in chapter 99, "Autograd".', 'Introduced in chapter 3, "Autograd".'),
        ('Introduced in chapter 3, "Autograd"', 'Introduced in chapter 3, "Autograd".'),
        ('Reused by the chapter "PyTorch Lightning".', 'chapter 10, "PyTorch Lightning"'),
    ],
)
def test_a_drifted_reference_is_reported_with_its_fix(doc, fix):
    problems = _problems("practical_dl.example.helper", doc)
    assert problems, doc
    assert all(p.startswith("practical_dl.example.helper ") for p in problems)
    assert any(f'should say "{fix}"' in p for p in problems), problems


def test_a_correct_reference_passes():
    doc = f'Introduced in chapter 4, "{TITLES[4]}".\n\nChapter 11, "{TITLES[11]}", reuses it.'
    assert _problems("practical_dl.example", doc) == []

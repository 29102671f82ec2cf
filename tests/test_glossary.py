"""The glossary page and the tooltips generated from it."""

import importlib.util
import re
import sys
from functools import cache
from pathlib import Path

import markdown
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _load_script():
    spec = importlib.util.spec_from_file_location("glossary_script", ROOT / "scripts/glossary.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


glossary = _load_script()
ENTRIES = glossary.parse(glossary.GLOSSARY.read_text(encoding="utf-8"))


@cache
def heading_ids(page: Path) -> set[str]:
    """The ids MkDocs gives the headings of a page (the toc extension's slugs)."""
    md = markdown.Markdown(
        extensions=["toc", "admonition", "attr_list", "md_in_html", "pymdownx.superfences"]
    )
    md.convert(page.read_text(encoding="utf-8"))
    ids, stack = set(), list(md.toc_tokens)
    while stack:
        token = stack.pop()
        ids.add(token["id"])
        stack.extend(token["children"])
    return ids


def test_at_least_forty_terms_each_with_a_definition_and_a_link():
    assert len(ENTRIES) >= 40, f"only {len(ENTRIES)} terms"
    for entry in ENTRIES:
        assert entry.definition, f"docs/glossary.md:{entry.line}: '{entry.term}' has no definition"
        assert entry.links, f"docs/glossary.md:{entry.line}: '{entry.term}' has no link"
        assert entry.anchor, f"docs/glossary.md:{entry.line}: give '{entry.term}' an {{#id}}"


def test_definitions_are_one_or_two_sentences():
    for entry in ENTRIES:
        sentences = [s for s in re.split(r"(?<=[.?!])\s+(?=[A-Z`(])", entry.tooltip) if s]
        assert len(sentences) <= 3, f"docs/glossary.md:{entry.line}: '{entry.term}' is too long"


def test_terms_and_anchors_are_unique_and_alphabetical():
    terms = [entry.term.lower() for entry in ENTRIES]
    anchors = [entry.anchor for entry in ENTRIES]
    assert len(set(terms)) == len(terms)
    assert len(set(anchors)) == len(anchors)
    in_order = sorted(terms, key=lambda term: re.sub(r"[-_]", " ", term))
    assert terms == in_order, "keep the terms in alphabetical order, word by word"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.term)
def test_every_link_points_at_an_existing_page_and_heading(entry):
    for target in entry.links:
        path, _, anchor = target.partition("#")
        page = DOCS / path
        assert page.is_file(), f"docs/glossary.md:{entry.line}: no page {path}"
        if anchor:
            assert anchor in heading_ids(page), (
                f"docs/glossary.md:{entry.line}: {path} has no heading #{anchor} "
                "(a heading was renamed: link the new one)"
            )


def test_the_glossary_states_the_architecture_naming_convention():
    text = glossary.GLOSSARY.read_text(encoding="utf-8")
    assert "30-30-15-1" in text and "input" in text


def test_the_tooltip_file_is_up_to_date():
    expected = glossary.render(ENTRIES)
    current = glossary.ABBREVIATIONS.read_text(encoding="utf-8")
    assert current == expected, f"includes/abbreviations.md is stale: run `{glossary.COMMAND}`"


def test_tooltips_are_single_plain_lines():
    for entry in ENTRIES:
        assert "\n" not in entry.tooltip and "](" not in entry.tooltip and "`" not in entry.tooltip


def test_the_site_appends_the_tooltips_to_every_page():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = yaml.load(text, Loader=_Loader)
    features = config["theme"]["features"]
    snippets = next(
        entry["pymdownx.snippets"]
        for entry in config["markdown_extensions"]
        if isinstance(entry, dict) and "pymdownx.snippets" in entry
    )
    assert "content.tooltips" in features
    assert "abbr" in config["markdown_extensions"]
    assert "includes/abbreviations.md" in snippets["auto_append"]


class _Loader(yaml.SafeLoader):
    """A YAML loader that accepts mkdocs.yml's tags without acting on them."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


@pytest.mark.parametrize("page", ["glossary.md", "common-mistakes.md"])
def test_learner_aids_link_existing_pages_and_headings(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    links = re.findall(r"\]\((chapters/[^)\s]+)\)", text)
    assert links, f"docs/{page} links no chapter"
    for target in links:
        path, _, anchor = target.partition("#")
        assert (DOCS / path).is_file(), f"docs/{page}: no page {path}"
        if anchor:
            assert anchor in heading_ids(DOCS / path), f"docs/{page}: {path} has no #{anchor}"


# "§7](chapters/x.md#6-...)": the number a reader sees must be the section linked to.
_NUMBERED_LINK = re.compile(r"(?:§\s?|section )(\d+)\]\([^)#\s]*#(\d+)-")


def test_numbered_links_name_the_section_they_link_to():
    wrong = [
        f"{page.relative_to(ROOT)}:{number}: says {said}, links to section {linked}"
        for page in sorted(DOCS.rglob("*.md"))
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
        for said, linked in _NUMBERED_LINK.findall(line)
        if said != linked
    ]
    assert not wrong, "\n".join(wrong)

"""Glossary tooltips: write includes/abbreviations.md from docs/glossary.md.

The glossary page is the one source of every definition. This script reads its
definition list and writes the abbreviation file that ``pymdownx.snippets``
appends to every page (``auto_append`` in ``mkdocs.yml``), so that the ``abbr``
extension and Material's ``content.tooltips`` show a term's definition when a
reader points at it. Edit the glossary, then run::

    .venv/bin/python scripts/glossary.py

``tests/test_glossary.py`` fails, naming that command, while the file is stale.

A glossary entry looks like this (one or two sentences, then a line that links
the section introducing the term)::

    Epoch {#epoch}
    :   One full pass over the training data, however it is cut into batches.
        Introduced in [chapter 5, §1](chapters/mini-batches.md#1-why-mini-batches).

The tooltip is the definition before the linking line, as plain text.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
ABBREVIATIONS = ROOT / "includes" / "abbreviations.md"
COMMAND = ".venv/bin/python scripts/glossary.py"

#: Which glossary terms get a tooltip, and the exact spellings that trigger it.
#: The ``abbr`` extension matches whole words, case-sensitively, in prose only
#: (never inside code), on every page, so each spelling is listed as written:
#: plurals, and capitals where sentences or headings start with the term.
#: Every spelling costs every Markdown conversion a little (a page, and each
#: docstring of the API pages), so rare spellings are left out. Terms left out
#: would be noise: everyday words used on every page (tensor, loss, batch,
#: gradient, device, parameter, feature, step, seed, accuracy), words with a
#: second meaning on this site (the precision of a float, a Jupyter kernel, a
#: tensor's strides, a statistical bias), and names that only ever appear as
#: code (``Dataset``, ``DataLoader``, ``state_dict``, ``nn.Module``).
TOOLTIPS: dict[str, tuple[str, ...]] = {
    "Activation function": ("activation function", "activation functions", "Activation functions"),
    "Adam": ("Adam",),
    "AdamW": ("AdamW",),
    "Autograd": ("autograd", "Autograd"),
    "Back-propagation": ("back-propagation", "Back-propagation"),
    "Backbone and head": ("backbone",),
    "Batch normalisation": ("batch normalisation", "Batch normalisation"),
    "Broadcasting": ("broadcasting", "Broadcasting", "broadcasts"),
    "Checkpoint": ("checkpoint", "checkpoints"),
    "Computation graph": ("computation graph", "computation graphs"),
    "Confusion matrix": ("confusion matrix", "confusion matrices"),
    "Convolution": ("convolution", "Convolution"),
    "Criterion": ("criterion",),
    "Cross-entropy": ("cross-entropy",),
    "CUDA and MPS": ("CUDA", "MPS"),
    "Data augmentation": ("data augmentation", "Data augmentation"),
    "Data leakage": ("data leakage", "Data leakage"),
    "DDP": ("DDP",),
    "Decision boundary": ("decision boundary",),
    "Deep and shallow networks": ("deep network", "deep networks", "shallow network"),
    "Dropout": ("dropout", "Dropout"),
    "dtype": ("dtype",),
    "Early stopping": ("early stopping", "Early stopping"),
    "Epoch": ("epoch", "epochs"),
    "Evaluation mode": ("evaluation mode",),
    "Fine-tuning": ("fine-tuning", "Fine-tuning"),
    "Flatten": ("flatten size",),
    "Forward pass": ("forward pass",),
    "Freezing": ("freezing", "Freezing", "frozen"),
    "Gradient clipping": ("gradient clipping", "Gradient clipping"),
    "Gradient descent": ("gradient descent", "Gradient descent"),
    "Hidden layer": ("hidden layer", "hidden layers", "hidden unit", "hidden units"),
    "Hyper-parameter": ("hyper-parameter", "hyper-parameters"),
    "Iterable-style dataset": ("iterable-style",),
    "Layer normalisation": ("layer normalisation", "Layer normalisation"),
    "Leaf tensor": ("leaf tensor",),
    "Learning curve": ("learning curve", "learning curves"),
    "Learning rate": ("learning rate", "learning rates"),
    "Learning-rate schedule": ("learning-rate schedule", "learning-rate schedules"),
    "Log loss": ("log loss", "Log loss"),
    "Logistic regression": ("logistic regression", "Logistic regression"),
    "LR range test": ("LR range test",),
    "Logit": ("logit", "logits", "Logits"),
    "Mean squared error": ("mean squared error", "MSE"),
    "Mini-batch": ("mini-batch", "mini-batches"),
    "Mixed precision": ("mixed precision", "Mixed precision"),
    "Momentum": ("momentum", "Momentum"),
    "ONNX": ("ONNX",),
    "Optimiser": ("optimiser", "optimisers", "Optimisers", "optimizer"),
    "Overfitting": ("overfitting", "Overfitting"),
    "Pooling": ("pooling", "max pooling"),
    "Regularisation": ("regularisation", "Regularisation", "regulariser"),
    "ReLU": ("ReLU",),
    "ROC curve and ROC-AUC": ("ROC-AUC", "ROC curve"),
    "safetensors": ("safetensors",),
    "SGD": ("SGD",),
    "Sigmoid": ("sigmoid", "Sigmoid"),
    "Softmax": ("softmax", "Softmax"),
    "Standardisation": ("standardising", "Standardising", "standardised"),
    "Stratified split": ("stratified",),
    "Sweep": ("sweep", "sweeps", "Sweeps"),
    "Test set": ("test set", "test sets", "test split"),
    "Training set": ("training set", "training split"),
    "Transfer learning": ("transfer learning", "Transfer learning"),
    "Underfitting": ("underfitting",),
    "Validation set": ("validation set", "validation split"),
    "Vanishing gradient": ("vanishing gradient",),
    "Warm-up": ("warm-up", "Warm-up"),
    "Weight decay": ("weight decay", "Weight decay"),
    "Worker process": ("worker processes", "Worker processes"),
}

_TERM = re.compile(r"^(?P<term>[^\s#:>!|*-][^{]*?)\s*(?:\{#(?P<anchor>[\w-]+)\})?\s*$")
_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<target>[^)\s]+)\)")


@dataclass(frozen=True)
class Entry:
    """One glossary entry.

    Attributes:
        term: The term as the page shows it.
        anchor: Its ``{#id}``, for links to the entry ("" when it has none).
        definition: The definition as Markdown, without the line of links.
        where: The Markdown that links the section introducing the term.
        line: The line of the term in the page.
    """

    term: str
    anchor: str
    definition: str
    where: str
    line: int

    @property
    def links(self) -> list[str]:
        """The link targets of the entry, relative to ``docs/``."""
        return [match["target"] for match in _LINK.finditer(self.where)]

    @property
    def tooltip(self) -> str:
        """The definition as one line of plain text."""
        text = _LINK.sub(lambda match: match["text"], self.definition)
        text = re.sub(r"(\*\*|\*|`)", "", text)
        return " ".join(text.split())


def parse(text: str) -> list[Entry]:
    """Read the entries of a glossary written as a Markdown definition list.

    Args:
        text: The page's Markdown.

    Returns:
        The entries in page order.

    Raises:
        ValueError: If a definition has no line linking where the term is
            introduced.
    """
    lines = text.splitlines()
    entries = []
    for number, line in enumerate(lines):
        following = lines[number + 1] if number + 1 < len(lines) else ""
        match = _TERM.match(line)
        if not (match and following.startswith(":   ")):
            continue
        body = [following[4:]]
        for extra in lines[number + 2 :]:
            if not extra.startswith("    "):
                break
            body.append(extra[4:])
        split = next((i for i, part in enumerate(body) if _LINK.search(part)), len(body))
        if split == len(body):
            raise ValueError(
                f"docs/glossary.md:{number + 1}: '{match['term']}' needs a line linking "
                "the section that introduces it"
            )
        entries.append(
            Entry(
                term=match["term"],
                anchor=match["anchor"] or "",
                definition="\n".join(body[:split]).strip(),
                where="\n".join(body[split:]).strip(),
                line=number + 1,
            )
        )
    return entries


def render(entries: list[Entry]) -> str:
    """Write the abbreviation file for the given glossary entries.

    Args:
        entries: The glossary's entries.

    Returns:
        The file's text: one ``*[form]: definition`` line per spelling.

    Raises:
        ValueError: If ``TOOLTIPS`` names a term the glossary lacks, or two
            terms claim the same spelling.
    """
    by_term = {entry.term: entry for entry in entries}
    missing = sorted(set(TOOLTIPS) - set(by_term))
    if missing:
        raise ValueError(f"TOOLTIPS names terms that docs/glossary.md lacks: {missing}")
    lines: dict[str, str] = {}
    for term, words in TOOLTIPS.items():
        for spelling in words:
            if spelling in lines:
                raise ValueError(f"the spelling '{spelling}' is claimed twice in TOOLTIPS")
            lines[spelling] = f"*[{spelling}]: {by_term[term].tooltip}"
    header = (
        "<!-- Generated from docs/glossary.md by scripts/glossary.py: edit the glossary, "
        f"then run `{COMMAND}`. -->"
    )
    # One block per definition: Markdown's block processors search a whole block, so
    # one block of hundreds of lines would cost quadratic time on every page.
    return "\n\n".join([header, *(lines[key] for key in sorted(lines, key=str.lower))]) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write ``includes/abbreviations.md``, or with ``--check`` report whether it is stale.

    Args:
        argv: Command-line arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status: 0, or 1 when ``--check`` finds the file stale.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    text = render(parse(GLOSSARY.read_text(encoding="utf-8")))
    current = ABBREVIATIONS.read_text(encoding="utf-8") if ABBREVIATIONS.exists() else None
    if args.check:
        if current != text:
            print(f"{ABBREVIATIONS.relative_to(ROOT)} is stale: run `{COMMAND}`")
            return 1
        return 0
    if current != text:
        ABBREVIATIONS.parent.mkdir(exist_ok=True)
        ABBREVIATIONS.write_text(text, encoding="utf-8")
        print(f"wrote {ABBREVIATIONS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

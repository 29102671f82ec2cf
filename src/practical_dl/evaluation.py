"""A test split that can be scored once, so the course's test-split protocol is checked, not hoped.

Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

The protocol: data are split into training, validation and test parts; every
choice (epochs, learning rate, architecture, which model) is made on the
validation part; the test part is scored once, at the very end, and never
used for a choice. :class:`TestSet` holds the test part and hands it to a
scoring function once. A second call raises :class:`TestSetReusedError`
instead of quietly producing a number that could be used to choose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from practical_dl import _checks as check

__all__ = ["TestSet", "TestSetReusedError"]

T = TypeVar("T")
R = TypeVar("R")


class TestSetReusedError(RuntimeError):
    """Raised when a :class:`TestSet` is asked for more scores than it allows.

    Introduced in chapter 8, "Project: a breast-cancer classifier end to end".
    """

    __test__ = False  # a class named Test... that pytest must not collect


class TestSet(Generic[T]):
    """Held-out test data that lets itself be scored a limited number of times (once by default).

    The wrapped data can be anything a scoring function accepts: a
    ``DataLoader``, an ``(X, y)`` pair, a ``Dataset``. The data are not
    exposed as an attribute: the only way in is :meth:`score`, which counts.

    A scoring function that raises does not count as a use: it produced no
    number to look at.

    Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

    Args:
        data: The test split, in whatever form the scoring function takes.
        name: What error messages and ``repr`` call it, e.g. ``"test split, seed 42"``.
        max_scores: How many scores to allow. Keep the default, 1, unless a
            study scores several *fixed, already chosen* models on purpose.

    Attributes:
        name: The name given.
        max_scores: The number of scores allowed.
        history: The label of every score so far, in order.

    Raises:
        TypeError: If ``name`` is not a string or ``max_scores`` not an int.
        ValueError: If ``name`` is empty or ``max_scores`` is below 1.

    Example:
        >>> test_split = TestSet([1.0, 0.0, 1.0], name="toy test split")
        >>> test_split.score(lambda targets: sum(targets) / len(targets), label="final model")
        0.6666666666666666
        >>> test_split.times_scored
        1
    """

    __test__ = False  # a class named Test... that pytest must not collect

    def __init__(self, data: T, name: str = "test split", max_scores: int = 1) -> None:
        if not isinstance(name, str):
            raise check.bad("name", "be a str", name, error=TypeError)
        if not name.strip():
            raise check.bad("name", "be a non-empty str", name)
        self.name = name
        self.max_scores = check.positive_int("max_scores", max_scores)
        self.history: list[str] = []
        self._data = data

    @property
    def times_scored(self) -> int:
        """How many times the data have been scored so far."""
        return len(self.history)

    @property
    def scores_left(self) -> int:
        """How many more scores are allowed."""
        return self.max_scores - self.times_scored

    def score(self, scorer: Callable[[T], R], label: str = "") -> R:
        """Call ``scorer(data)`` and return its result, if a score is still allowed.

        Introduced in chapter 8, "Project: a breast-cancer classifier end to end".

        Args:
            scorer: A function of the wrapped data that returns the score(s),
                e.g. ``lambda loader: binary_metrics(*predict(model, loader, device))``.
            label: What was scored, kept in :attr:`history` and named in the
                error of a later, refused call.

        Returns:
            Whatever ``scorer`` returns.

        Raises:
            TypeError: If ``scorer`` is not callable or ``label`` not a string.
            TestSetReusedError: If the allowed number of scores is used up.
        """
        if not callable(scorer):
            raise check.bad("scorer", "be callable", scorer, error=TypeError)
        if not isinstance(label, str):
            raise check.bad("label", "be a str", label, error=TypeError)
        if self.scores_left <= 0:
            earlier = ", ".join(repr(item) for item in self.history)
            times = "once" if self.max_scores == 1 else f"{self.max_scores} times"
            raise TestSetReusedError(
                f"{self.name!r} may be scored {times} and was already scored ({earlier}). "
                "Scoring it again, to compare or to choose, turns it into a second "
                "validation set and leaves no honest estimate. Make every choice on the "
                "validation split; for a new estimate, hold out new data. (Re-running a "
                "notebook cell? Run the notebook from the top: that makes a new TestSet.)"
            )
        result = scorer(self._data)
        self.history.append(label or f"score {self.times_scored + 1}")
        return result

    def __repr__(self) -> str:
        return f"TestSet({self.name!r}, scored {self.times_scored} of {self.max_scores})"

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from practical_dl.evaluation import TestSet, TestSetReusedError


def mean_target(loader):
    return torch.cat([y for _, y in loader]).mean().item()


@pytest.fixture
def loader():
    X, y = torch.zeros(4, 2), torch.tensor([1.0, 0.0, 1.0, 1.0])
    return DataLoader(TensorDataset(X, y), batch_size=2)


def test_score_passes_the_data_and_returns_the_result(loader):
    test_split = TestSet(loader, name="toy")
    assert test_split.score(mean_target, label="final") == 0.75
    assert test_split.times_scored == 1 and test_split.scores_left == 0
    assert test_split.history == ["final"]


def test_a_second_score_is_refused_with_a_clear_message(loader):
    test_split = TestSet(loader, name="toy test split")
    test_split.score(mean_target, label="the chosen model")
    with pytest.raises(TestSetReusedError, match="may be scored once") as info:
        test_split.score(mean_target, label="another model")
    message = str(info.value)
    assert "'toy test split'" in message and "'the chosen model'" in message
    assert "validation" in message
    assert test_split.history == ["the chosen model"]  # the refused call is not recorded


def test_the_error_is_a_runtime_error(loader):
    test_split = TestSet(loader)
    test_split.score(mean_target)
    with pytest.raises(RuntimeError):
        test_split.score(mean_target)


def test_refused_scorer_is_never_called(loader):
    test_split = TestSet(loader)
    test_split.score(mean_target)
    calls = []
    with pytest.raises(TestSetReusedError):
        test_split.score(lambda data: calls.append(data))
    assert calls == []


def test_max_scores_allows_several_and_then_refuses(loader):
    test_split = TestSet(loader, max_scores=2)
    test_split.score(mean_target, label="a")
    test_split.score(mean_target)
    assert test_split.history == ["a", "score 2"]
    with pytest.raises(TestSetReusedError, match="may be scored 2 times"):
        test_split.score(mean_target)


def test_a_scorer_that_raises_does_not_use_up_the_score(loader):
    test_split = TestSet(loader)

    def broken(data):
        raise KeyError("bug in the scorer")

    with pytest.raises(KeyError):
        test_split.score(broken)
    assert test_split.times_scored == 0
    assert test_split.score(mean_target) == 0.75


def test_any_data_works():
    pair = (torch.arange(3.0), torch.tensor([0.0, 1.0, 1.0]))
    assert TestSet(pair).score(lambda xy: int(xy[1].sum())) == 2


def test_repr_shows_name_and_count(loader):
    test_split = TestSet(loader, name="test split, seed 42")
    assert repr(test_split) == "TestSet('test split, seed 42', scored 0 of 1)"
    test_split.score(mean_target)
    assert repr(test_split) == "TestSet('test split, seed 42', scored 1 of 1)"


def test_pytest_does_not_collect_the_classes():
    assert TestSet.__test__ is False and TestSetReusedError.__test__ is False


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"name": 3}, TypeError, "name must be a str"),
        ({"name": "  "}, ValueError, "name must be a non-empty str"),
        ({"max_scores": 0}, ValueError, "max_scores must be a positive int"),
        ({"max_scores": 1.5}, TypeError, "max_scores must be a positive int"),
        ({"max_scores": True}, TypeError, "max_scores must be a positive int"),
    ],
)
def test_bad_arguments_name_themselves(loader, kwargs, error, match):
    with pytest.raises(error, match=match):
        TestSet(loader, **kwargs)


def test_bad_scorer_and_label_name_themselves(loader):
    test_split = TestSet(loader)
    with pytest.raises(TypeError, match="scorer must be callable"):
        test_split.score(0.75)
    with pytest.raises(TypeError, match="label must be a str"):
        test_split.score(mean_target, label=1)
    assert test_split.times_scored == 0

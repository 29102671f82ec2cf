"""Checks for the exercises on autograd: gradients by hand, compared with autograd's.

Introduced in chapter 3, "Autograd".

Each check calls your hand-written derivative at a few points, computes the
same gradient with autograd, and compares them; it prints what it confirmed,
or raises :class:`~practical_dl.exercises.CheckFailed` saying what is wrong
and where to look. Your functions are called under ``torch.no_grad()``: a
derivative worked out by hand is a formula, and needs no autograd.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from practical_dl.exercises import CheckFailed, call, check, check_callable, given, passed

__all__ = [
    "check_accumulate_halves",
    "check_grad_f",
    "check_partials",
    "check_tanh_dw1",
]

_BY_HAND = (
    "write the derivative as a formula in the inputs; the check compares it with autograd "
    "(your function runs under torch.no_grad(), so it cannot call .backward())"
)


def _by_hand(name: str, function: Callable, *args: Any) -> torch.Tensor:
    """Call the reader's derivative without autograd, and return it as a float tensor."""
    with torch.no_grad():
        value = call(name, function, *args, hint=_BY_HAND)
    given(name, value)
    try:
        return torch.as_tensor(value, dtype=torch.float32).detach()
    except (TypeError, ValueError, RuntimeError):
        raise CheckFailed(
            f"{name} should be a tensor or a number, got {type(value).__name__}", _BY_HAND
        ) from None


def _same(got: torch.Tensor, expected: torch.Tensor) -> bool:
    return got.shape == expected.shape and torch.allclose(got, expected, rtol=1e-4, atol=1e-6)


def _show(t: torch.Tensor) -> str:
    return f"{t.item():.4f}" if t.numel() == 1 else str([round(v, 4) for v in t.tolist()])


def check_grad_f(grad_f: Callable[[torch.Tensor], Any]) -> None:
    """Check ``grad_f(x)``, the gradient of ``f(x) = mean(x**3 + 2 * x)`` worked out by hand.

    Args:
        grad_f: The reader's function: a tensor ``x`` in, the tensor of
            ``∂f/∂x_i`` (same shape) out.

    Raises:
        CheckFailed: When it differs from autograd's gradient at one of the points.
    """
    check_callable("grad_f", grad_f)
    for values in ([-1.0, 0.5, 2.0], [0.0, 1.0, -3.0, 2.5]):
        x = torch.tensor(values, requires_grad=True)
        (x**3 + 2 * x).mean().backward()
        expected, n = x.grad, len(values)
        plain = x.detach()
        called = f"grad_f(torch.tensor({values}))"
        got = _by_hand(called, grad_f, plain.clone())
        hint = "differentiate x_i**3 + 2 * x_i term by term, then divide by N, the mean's length"
        if _same(got, expected * n):
            hint = f"it is N = {n} times too large: the mean divides every term by N"
        elif _same(got, 3 * plain**2 / n):
            hint = "the 2 * x_i term is missing: its derivative is 2"
        check(
            _same(got, expected),
            f"{called} is {_show(got)}, autograd says {_show(expected)}",
            hint,
        )
    passed("grad_f agrees with autograd: the derivative of the mean is (3 x_i**2 + 2) / N")


def check_partials(df_da: Callable[[Any, Any], Any], df_db: Callable[[Any, Any], Any]) -> None:
    """Check ``df_da(a, b)`` and ``df_db(a, b)`` for ``f(a, b) = a * b + sin(a)``.

    Args:
        df_da: The reader's ∂f/∂a.
        df_db: The reader's ∂f/∂b.

    Raises:
        CheckFailed: When either differs from autograd's at one of the points.
    """
    check_callable("df_da", df_da)
    check_callable("df_db", df_db)
    for a_value, b_value in ((0.5, -2.0), (1.2, 0.3)):
        a = torch.tensor(a_value, requires_grad=True)
        b = torch.tensor(b_value, requires_grad=True)
        (a * b + torch.sin(a)).backward()
        plain_a, plain_b = a.detach(), b.detach()
        at = f"at a = {a_value}, b = {b_value}"
        got_a = _by_hand(f"df_da({a_value}, {b_value})", df_da, plain_a.clone(), plain_b.clone())
        hint = "treat b as a constant: a * b gives b, and sin(a) gives cos(a)"
        if _same(got_a, plain_b):
            hint = "the sin(a) term is missing: its derivative is cos(a)"
        elif _same(got_a, plain_b - torch.cos(plain_a)):
            hint = "the derivative of sin(a) is +cos(a)"
        check(
            _same(got_a, a.grad),
            f"df_da {at} is {_show(got_a)}, autograd says {_show(a.grad)}",
            hint,
        )
        got_b = _by_hand(f"df_db({a_value}, {b_value})", df_db, plain_a.clone(), plain_b.clone())
        check(
            _same(got_b, b.grad),
            f"df_db {at} is {_show(got_b)}, autograd says {_show(b.grad)}",
            "treat a as a constant: a * b changes by a when b grows by one, and sin(a) not at all",
        )
    passed("df_da = b + cos(a) and df_db = a agree with autograd at two points")


def check_accumulate_halves(
    accumulate_halves: Callable[[torch.Tensor, torch.Tensor, float], Any],
) -> None:
    """Check ``accumulate_halves(X, targets, w0)``: ``w.grad`` after each of two backward calls.

    The function makes ``w = torch.tensor([w0], requires_grad=True)``, calls
    ``.backward()`` on the summed squared error of the first half of the data,
    then on that of the second half, and returns ``(after_first, after_both)``:
    the gradient after the first call and after both.

    Args:
        accumulate_halves: The reader's function.

    Raises:
        CheckFailed: When either gradient is not what accumulation gives.
    """
    check_callable("accumulate_halves", accumulate_halves)
    X = torch.tensor([1.0, 2.0, 3.0, 4.0])
    targets = 2 * X
    for w0 in (0.5, -1.0):

        def gradient(part: slice, w0: float = w0) -> torch.Tensor:
            w = torch.tensor([w0], requires_grad=True)
            ((X[part] * w - targets[part]) ** 2).sum().backward()
            return w.grad

        first, second, whole = gradient(slice(0, 2)), gradient(slice(2, 4)), gradient(slice(0, 4))
        called = f"accumulate_halves(X, targets, {w0})"
        result = call(called, accumulate_halves, X.clone(), targets.clone(), w0)
        given(called, result)
        check(
            isinstance(result, tuple | list) and len(result) == 2,
            f"{called} should return two gradients (after_first, after_both), "
            f"got {type(result).__name__}",
            "end the function with: return after_first, after_both",
        )
        after_first, after_both = (torch.as_tensor(g).detach().float() for g in result)
        check(
            not (result[0] is result[1] or _same(after_first, whole)),
            f"after_first is {_show(after_first)}, the gradient of all the data, not of the "
            "first half",
            ".backward() adds into w.grad in place, so keep a copy after the first call: "
            "after_first = w.grad.clone()",
        )
        check(
            _same(after_first, first),
            f"with w0 = {w0}, after_first is {_show(after_first)}; the first half's summed "
            f"squared error has gradient {_show(first)}",
            "after_first is w.grad right after ((X[:2] * w - targets[:2]) ** 2).sum().backward()",
        )
        hint = "call .backward() on each half's .sum() in turn, without zeroing w.grad in between"
        if _same(after_both, second):
            hint = "that is the second half alone: do not zero w.grad between the two calls"
        elif _same(after_both, whole / 2):
            hint = "use each half's summed error (.sum()), not its mean"
        check(
            _same(after_both, whole),
            f"with w0 = {w0}, after_both is {_show(after_both)}; the gradient of the whole "
            f"data's summed squared error is {_show(whole)}",
            hint,
        )
    passed("the gradients of the two halves add up to the gradient of all the data")


_START = {"w1": 0.5, "b1": 0.1, "w2": -0.3, "b2": 0.2, "w3": 0.8, "w4": -0.6, "b3": 0.05}
_OTHER = {"w1": -1.2, "b1": 0.4, "w2": 0.7, "b2": -0.5, "w3": -0.9, "w4": 1.1, "b3": 0.3}


def check_tanh_dw1(
    tanh_dw1: Callable[[dict[str, torch.Tensor], torch.Tensor, torch.Tensor], Any],
) -> None:
    """Check ``tanh_dw1(p, x, y)``: ∂L/∂w1 by hand for the 1-2-1 network with tanh in unit 1.

    The network is chapter 3's: ``h1 = tanh(w1 x + b1)``, ``h2 = sigmoid(w2 x + b2)``,
    ``y_hat = w3 h1 + w4 h2 + b3`` and ``L = (y_hat - y) ** 2``; ``p`` maps the
    seven names to tensors.

    Args:
        tanh_dw1: The reader's function.

    Raises:
        CheckFailed: When it differs from autograd's ∂L/∂w1 at one of the points.
    """
    check_callable("tanh_dw1", tanh_dw1)
    for start, x_value, y_value in ((_START, 1.5, 1.0), (_OTHER, -0.8, 0.5)):
        q = {name: torch.tensor(value, requires_grad=True) for name, value in start.items()}
        x, y = torch.tensor(x_value), torch.tensor(y_value)
        h1 = torch.tanh(q["w1"] * x + q["b1"])
        h2 = torch.sigmoid(q["w2"] * x + q["b2"])
        y_hat = q["w3"] * h1 + q["w4"] * h2 + q["b3"]
        ((y_hat - y) ** 2).backward()
        expected = q["w1"].grad
        with torch.no_grad():
            outer = 2 * (y_hat - y) * q["w3"]
            wrong = {
                "sigmoid": outer * h1 * (1 - h1) * x,
                "no_x": outer * (1 - h1**2),
                "half": outer / 2 * (1 - h1**2) * x,
            }
        p = {name: torch.tensor(value) for name, value in start.items()}
        called = f"tanh_dw1(p, x={x_value}, y={y_value})"
        got = _by_hand(called, tanh_dw1, p, x.clone(), y.clone())
        hint = "multiply the four local derivatives: 2 (y_hat - y), w3, tanh'(z1) and x"
        if _same(got, wrong["sigmoid"]):
            hint = "that uses the sigmoid's local derivative h (1 - h); tanh's is 1 - tanh(z)**2"
        elif _same(got, wrong["no_x"]):
            hint = "the last link is missing: z1 = w1 x + b1, so ∂z1/∂w1 = x"
        elif _same(got, wrong["half"]):
            hint = "the derivative of (y_hat - y)**2 is 2 (y_hat - y)"
        check(
            _same(got, expected),
            f"{called} is {_show(got)}, autograd says {_show(expected)}",
            hint,
        )
    passed("∂L/∂w1 by hand, with tanh' = 1 - tanh**2, agrees with autograd at two points")

import math

import pytest
import torch
from torch import nn

from practical_dl.exercises import CheckFailed
from practical_dl.exercises import optimisers as exercises

# The chapter's optimisers, as the reader has them when doing the exercises.


class PlainSGD:
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for p in self.params:
            p -= self.lr * p.grad


class Momentum(PlainSGD):
    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params, lr)
        self.mu = momentum
        self.velocity = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        for p, v in zip(self.params, self.velocity, strict=True):
            v.mul_(self.mu).add_(p.grad)
            p -= self.lr * v


class Adam(PlainSGD):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps, self.t = eps, 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        self.t += 1
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            m.mul_(self.beta1).add_((1 - self.beta1) * p.grad)
            v.mul_(self.beta2).add_((1 - self.beta2) * p.grad**2)
            m_hat = m / (1 - self.beta1**self.t)
            v_hat = v / (1 - self.beta2**self.t)
            p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)


# Nesterov


class NesterovStarter(Momentum):
    @torch.no_grad()
    def step(self): ...


class Nesterov(Momentum):
    @torch.no_grad()
    def step(self):
        for p, v in zip(self.params, self.velocity, strict=True):
            v.mul_(self.mu).add_(p.grad)
            p -= self.lr * (p.grad + self.mu * v)


class NesterovOldVelocity(Momentum):
    @torch.no_grad()
    def step(self):
        for p, v in zip(self.params, self.velocity, strict=True):
            p -= self.lr * (p.grad + self.mu * v)  # uses v before updating it
            v.mul_(self.mu).add_(p.grad)


class NesterovWithoutMu(Momentum):
    @torch.no_grad()
    def step(self):
        for p, v in zip(self.params, self.velocity, strict=True):
            v.mul_(self.mu).add_(p.grad)
            p -= self.lr * (p.grad + v)  # forgets mu


class NesterovWithoutNoGrad(Momentum):
    def step(self):
        for p, v in zip(self.params, self.velocity, strict=True):
            v.mul_(self.mu).add_(p.grad)
            p -= self.lr * (p.grad + self.mu * v)


def test_nesterov_passes_on_the_solution(capsys):
    exercises.check_nesterov(Nesterov)
    assert "Check passed: 20 steps of Nesterov" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (..., "Nesterov is ...: the exercise is not done yet"),
        (NesterovStarter, "left every weight unchanged: the exercise is not done yet"),
        (Momentum, "equals plain momentum's"),
        (NesterovOldVelocity, "your first step equals plain momentum's"),
        (NesterovWithoutMu, "after step 1 your weights differ from torch.optim.SGD(lr=0.05"),
        (NesterovWithoutNoGrad, "changed a weight while autograd was recording"),
        (Nesterov([torch.zeros(2, requires_grad=True)], lr=0.1), "should be a class"),
    ],
)
def test_nesterov_fails_with_a_message(answer, words):
    with pytest.raises(CheckFailed) as failure:
        exercises.check_nesterov(answer)
    assert words in str(failure.value)


# Adam without bias correction


class AdamUncorrected(Adam):
    @torch.no_grad()
    def step(self):
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            m.mul_(self.beta1).add_((1 - self.beta1) * p.grad)
            v.mul_(self.beta2).add_((1 - self.beta2) * p.grad**2)
            p -= self.lr * m / (v.sqrt() + self.eps)


class AdamMOnly(Adam):
    """Removes the correction of v only."""

    @torch.no_grad()
    def step(self):
        self.t += 1
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            m.mul_(self.beta1).add_((1 - self.beta1) * p.grad)
            v.mul_(self.beta2).add_((1 - self.beta2) * p.grad**2)
            p -= self.lr * (m / (1 - self.beta1**self.t)) / (v.sqrt() + self.eps)


class AdamStarter(Adam):
    @torch.no_grad()
    def step(self): ...


RATIO = 0.1 / math.sqrt(0.001)


def test_adam_uncorrected_passes_on_the_solution(capsys):
    exercises.check_adam_uncorrected(AdamUncorrected, RATIO)
    exercises.check_adam_uncorrected(AdamUncorrected, 3.162)  # typed by hand: close enough
    assert "first step is 0.3162 = 3.16 x lr" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("cls", "ratio", "words"),
    [
        (AdamStarter, ..., "left the weights unchanged: the exercise is not done yet"),
        (Adam, RATIO, "that is Adam itself, whose first step is exactly lr"),
        (AdamMOnly, RATIO, "with m corrected and v not"),
        (AdamUncorrected, ..., "first_step_ratio is ...: the exercise is not done yet"),
        (AdamUncorrected, "big", "first_step_ratio should be a number, got str"),
        (AdamUncorrected, 1 / RATIO, "that is corrected / uncorrected"),
        (AdamUncorrected, 10.0, "first_step_ratio: expected about 3.1623, got 10"),
    ],
)
def test_adam_uncorrected_fails_with_a_message(cls, ratio, words):
    with pytest.raises(CheckFailed) as failure:
        exercises.check_adam_uncorrected(cls, ratio)
    assert words in str(failure.value)


# Warm-up and cosine


WARMUP, TOTAL = 9, 90


def warmup_cosine(step):
    if step < WARMUP:
        return 0.1 + 0.9 * step / WARMUP
    progress = (step - WARMUP) / (TOTAL - WARMUP)
    return 0.5 * (1 + math.cos(math.pi * progress))


def test_warmup_cosine_passes_on_the_solution(capsys):
    exercises.check_warmup_cosine(warmup_cosine, warmup_steps=WARMUP, total_steps=TOTAL)
    assert "the same rate as SequentialLR at all 90 steps" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda step: None, "warmup_cosine(0) is None: the exercise is not done yet"),
        (lambda step: "x", "warmup_cosine(0) should return a number, got str"),
        (lambda step: step / WARMUP if step < WARMUP else 1.0, "grows linearly from 0.1"),
        (
            lambda step: (
                warmup_cosine(step)
                if step < WARMUP
                else 0.5 * (1 + math.cos(math.pi * step / TOTAL))
            ),  # cosine not shifted by warm-up
            "warmup_cosine(9) is 0.975528, the SequentialLR schedule gives 1\nHint: after warm-up",
        ),
        (0.5, "warmup_cosine should be a function, got float"),
    ],
)
def test_warmup_cosine_fails_with_a_message(answer, words):
    with pytest.raises(CheckFailed) as failure:
        exercises.check_warmup_cosine(answer, warmup_steps=WARMUP, total_steps=TOTAL)
    assert words in str(failure.value)


@pytest.mark.parametrize(
    ("warmup", "total", "error", "words"),
    [(9, 9, ValueError, "warmup_steps must be less than"), (1.5, 9, TypeError, "warmup_steps")],
)
def test_warmup_cosine_rejects_bad_steps(warmup, total, error, words):
    with pytest.raises(error, match=words):
        exercises.check_warmup_cosine(warmup_cosine, warmup_steps=warmup, total_steps=total)


# Clipping by value


def _clipped_direction(clip, copy_first=True):
    generator = torch.Generator().manual_seed(0)
    X, y = torch.randn(64, 6, generator=generator), torch.randint(0, 3, (64,), generator=generator)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
    nn.functional.cross_entropy(model(X), y).backward()
    if copy_first:
        original = torch.cat([p.grad.flatten() for p in model.parameters()])
    grads = [p.grad for p in model.parameters()]
    clip(model.parameters())
    if not copy_first:
        original = torch.cat([g.flatten() for g in grads])  # read after clip: too late
    clipped = torch.cat([p.grad.flatten() for p in model.parameters()])
    return nn.functional.cosine_similarity(original, clipped, dim=0).item()


def test_clipped_direction_passes_on_the_solution(capsys):
    exercises.check_clipped_direction(_clipped_direction, "norm")
    exercises.check_clipped_direction(_clipped_direction, " Norm ")
    assert "only clipping by norm keeps the direction" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "keeps", "words"),
    [
        (lambda clip: None, "norm", "clipped_direction(clip) is None: the exercise is not done"),
        (lambda clip: "one", "norm", "should return a number, got str"),
        (lambda clip: 0.5, "norm", "with a clip that changes nothing"),
        (lambda clip: 1.0, "norm", "with a clip that reverses every gradient"),
        (
            lambda clip: _clipped_direction(clip, copy_first=False),
            "norm",
            "with a clip that reverses every gradient",
        ),
        (_clipped_direction, ..., "keeps_direction is ...: the exercise is not done yet"),
        (_clipped_direction, "both", 'keeps_direction should be "norm" or "value"'),
        (_clipped_direction, "value", "but clipping by value turned the gradient"),
    ],
)
def test_clipped_direction_fails_with_a_message(answer, keeps, words):
    with pytest.raises(CheckFailed) as failure:
        exercises.check_clipped_direction(answer, keeps)
    assert words in str(failure.value)

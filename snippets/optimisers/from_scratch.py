"""Optimisers from scratch: SGD, momentum and Adam in a few lines each.

Each class updates the parameters it is given exactly as ``torch.optim.SGD``
and ``torch.optim.Adam`` do, and ``compare_with_torch`` checks that claim step
by step on the same batches.
"""

# --8<-- [start:sgd]
import torch


class PlainSGD:
    """Gradient descent: p <- p - lr * g."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()  # the update itself must not be recorded in the graph
    def step(self):
        for p in self.params:
            p -= self.lr * p.grad


# --8<-- [end:sgd]


# --8<-- [start:momentum]
class Momentum(PlainSGD):
    """SGD with momentum, PyTorch's form: v <- mu * v + g, then p <- p - lr * v."""

    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params, lr)
        self.mu = momentum
        self.velocity = [torch.zeros_like(p) for p in self.params]  # one buffer per tensor

    @torch.no_grad()
    def step(self):
        for p, v in zip(self.params, self.velocity, strict=True):
            v.mul_(self.mu).add_(p.grad)  # in place: the buffer lives on between steps
            p -= self.lr * v


# --8<-- [end:momentum]


# --8<-- [start:adam]
class Adam(PlainSGD):
    """Adam: moving averages of g and g**2, bias-corrected, one step size per weight."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps, self.t = eps, 0
        self.m = [torch.zeros_like(p) for p in self.params]  # first moment: mean of g
        self.v = [torch.zeros_like(p) for p in self.params]  # second moment: mean of g**2

    @torch.no_grad()
    def step(self):
        self.t += 1
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            m.mul_(self.beta1).add_((1 - self.beta1) * p.grad)
            v.mul_(self.beta2).add_((1 - self.beta2) * p.grad**2)
            m_hat = m / (1 - self.beta1**self.t)  # undo the pull towards the zero start
            v_hat = v / (1 - self.beta2**self.t)
            p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)


# --8<-- [end:adam]


# --8<-- [start:compare]
import copy


def compare_with_torch(model, make_mine, make_torch, X, y, criterion, num_steps, batch_size=64):
    """Train two copies of ``model`` on the same batches; return the largest gap seen.

    Fails at the first step where a parameter of one copy is not ``allclose``
    to the same parameter of the other.
    """
    mine, theirs = copy.deepcopy(model), copy.deepcopy(model)
    opt_mine, opt_theirs = make_mine(mine.parameters()), make_torch(theirs.parameters())
    generator = torch.Generator().manual_seed(0)
    largest_gap = 0.0
    for step in range(num_steps):
        # the same random batch for both copies
        rows = torch.randint(len(y), (batch_size,), generator=generator).to(X.device)
        for net, opt in [(mine, opt_mine), (theirs, opt_theirs)]:
            opt.zero_grad()
            criterion(net(X[rows]), y[rows]).backward()
            opt.step()
        for a, b in zip(mine.parameters(), theirs.parameters(), strict=True):
            assert torch.allclose(a, b, rtol=1e-5, atol=1e-6), f"differ at step {step}"
            largest_gap = max(largest_gap, (a - b).abs().max().item())
    return largest_gap


# --8<-- [end:compare]


if __name__ == "__main__":
    # Run on its own: check the three optimisers on random data.
    from torch import nn

    torch.manual_seed(0)
    X, y = torch.randn(256, 8), torch.randint(0, 3, (256,))
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    criterion = nn.CrossEntropyLoss()
    pairs = {
        "SGD": (lambda p: PlainSGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
        "momentum": (
            lambda p: Momentum(p, lr=0.05, momentum=0.9),
            lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        ),
        "Adam": (lambda p: Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    }
    for name, (mine, theirs) in pairs.items():
        gap = compare_with_torch(model, mine, theirs, X, y, criterion, num_steps=100)
        print(f"{name:>8}: 100 steps, largest gap {gap:.1e}")

"""Selection bias, measured: keep the best of many models on validation, then look at test.

Each candidate is a logistic regression on a few features drawn at random; all
the candidates of a split train at once, in one matrix product. Over many
splits, the candidate with the best validation accuracy is compared with its
own test accuracy, and with a candidate kept without looking.
"""

# --8<-- [start:candidates]
import torch
from torch.nn import functional as F


def fit_candidates(X, y, feature_masks, num_epochs=50, lr=1.0):
    """Train one logistic regression per row of ``feature_masks`` (K, n_features), all at once.

    Candidate k sees only the features marked 1 in row k. Column k of ``weight``
    is its model, and the loss is the sum of each candidate's own mean loss, so
    each column gets exactly the gradient it would get if trained alone. Plain
    full-batch gradient descent is enough for a logistic regression on
    standardised features. Returns a function mapping features (n, n_features)
    to logits (n, K).
    """
    weight = torch.zeros(X.shape[1], len(feature_masks), requires_grad=True)  # (n_features, K)
    bias = torch.zeros(len(feature_masks), requires_grad=True)  # (K,)
    optimizer = torch.optim.SGD([weight, bias], lr=lr)
    targets = y.unsqueeze(1).expand(-1, len(feature_masks))  # (n,) -> (n, K), one copy each

    def logits_of(features):
        return features @ (weight * feature_masks.T) + bias  # (n, K); masked features count 0

    for _ in range(num_epochs):  # full batch: one step per epoch
        optimizer.zero_grad()
        losses = F.binary_cross_entropy_with_logits(logits_of(X), targets, reduction="none")
        loss = losses.mean(dim=0).sum()  # mean over patients, sum over candidates
        loss.backward()
        optimizer.step()
    return lambda features: logits_of(features).detach()


def accuracies(logits, y):
    """Accuracy of every column of ``logits`` (n, K) against targets (n,): a (K,) tensor."""
    return ((logits > 0).float() == y.unsqueeze(1)).float().mean(dim=0)


# --8<-- [end:candidates]

# --8<-- [start:study]
from practical_dl.data import breast_cancer_splits


def selection_study(split_seeds, num_candidates=20, num_features=5):
    """Validation and test accuracy of every candidate on every split: two (splits, K) arrays."""
    val_acc, test_acc = [], []
    for split_seed in split_seeds:
        s = breast_cancer_splits(seed=split_seed)
        generator = torch.Generator().manual_seed(split_seed)
        masks = torch.zeros(num_candidates, s.X_train.shape[1])
        for row in masks:  # a random choice of features for each candidate
            row[torch.randperm(len(row), generator=generator)[:num_features]] = 1.0
        logits_of = fit_candidates(s.X_train, s.y_train, masks)
        val_acc.append(accuracies(logits_of(s.X_val), s.y_val))
        test_acc.append(accuracies(logits_of(s.X_test), s.y_test))
    return torch.stack(val_acc).numpy(), torch.stack(test_acc).numpy()


# --8<-- [end:study]


if __name__ == "__main__":
    # Training the candidates together gives what each would get alone.
    s = breast_cancer_splits(seed=0)
    masks = torch.zeros(3, 30)
    masks[0, :5], masks[1, 5:10], masks[2, 10:15] = 1.0, 1.0, 1.0
    together = fit_candidates(s.X_train, s.y_train, masks)(s.X_val)
    alone = fit_candidates(s.X_train, s.y_train, masks[1:2])(s.X_val)
    assert torch.allclose(together[:, 1:2], alone, atol=1e-5)

    val_acc, test_acc = selection_study(range(5))
    print(f"validation {val_acc.shape}, test {test_acc.shape}")
    print(f"mean validation accuracy of the best per split: {val_acc.max(axis=1).mean():.3f}")

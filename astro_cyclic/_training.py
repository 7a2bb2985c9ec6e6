"""The training loop and batched inference over length-bucketed segments.

Segments of one star can differ in length from those of another (short stars
keep all their points), so every batch holds segments of a single length and
no padding is ever added: padding would break the exact cyclic invariance.
"""

import copy

import numpy as np
import torch
from scipy.special import logsumexp

from .preprocess import length_buckets

__all__ = ["train_network", "segment_log_proba", "combine_segments", "resolve_device"]


def resolve_device(device):
    """``"auto"`` is CUDA when available, else the CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or a torch device, got {device!r}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was asked for but torch sees no CUDA device; use device='auto' or 'cpu'")
    return device


def _stack(segments, idx, device):
    x = torch.from_numpy(np.stack([segments.channels[i] for i in idx]))
    aux = torch.from_numpy(segments.aux[idx])
    return x.to(device, non_blocking=True), aux.to(device, non_blocking=True)


def _batches(buckets, batch_size, rng):
    """Shuffled batches, each of one segment length."""
    out = []
    for idx in buckets.values():
        idx = idx if rng is None else rng.permutation(idx)
        out.extend(idx[i:i + batch_size] for i in range(0, idx.size, batch_size))
    if rng is not None:
        out = [out[i] for i in rng.permutation(len(out))]
    return out


@torch.inference_mode()
def segment_log_proba(module, segments, *, device, batch_size=512):
    """Log-probabilities of every segment, shape (n_segments, n_classes), float64."""
    module.eval()
    out = None
    for idx in _batches(length_buckets(segments.lengths), batch_size, None):
        x, aux = _stack(segments, idx, device)
        logp = torch.log_softmax(module(x, aux).float(), dim=1).cpu().numpy().astype(np.float64)
        if out is None:
            out = np.empty((len(segments), logp.shape[1]))
        out[idx] = logp
    return out


def combine_segments(seg_log_proba, star, n_stars):
    """Per-star log-probabilities: the mean segment log-probability, renormalised.

    The mean log-probability is the log of the geometric mean of the segment
    probabilities, i.e. the product of the segments' evidence; renormalising
    makes each row a distribution again.
    """
    n_classes = seg_log_proba.shape[1]
    sums = np.zeros((n_stars, n_classes))
    np.add.at(sums, star, seg_log_proba)
    counts = np.bincount(star, minlength=n_stars)[:, None]
    mean = sums / np.maximum(counts, 1)
    return mean - logsumexp(mean, axis=1, keepdims=True)


def train_network(module, train, y_train, val=None, y_val_star=None, *, augment=None, class_weight=None,
                  max_epochs=100, batch_size=64, learning_rate=0.005, n_iter_no_change=20, device, rng, verbose=0):
    """Train ``module`` on segments; return the history and the best epoch.

    The schedule follows Zhang & Bloom (2020, appendix A): Adam with learning
    rate 0.005, divided by 10 when the training loss has not fallen by 10% for 5
    epochs. With a validation set, the weights of the epoch with the best
    per-star validation accuracy (ties: lower validation loss) are restored at
    the end, and training stops after ``n_iter_no_change`` epochs without a
    better one.

    Parameters
    ----------
    module : torch.nn.Module
    train : Segments
        Standardised training segments.
    y_train : ndarray of int
        Class index of each training segment.
    augment : callable, optional
        ``augment(rng)`` returns a fresh version of ``train`` (same segments in
        the same order, e.g. thinned) for each epoch.
    val : Segments, optional
    y_val_star : ndarray of int, optional
        Class index of each validation star.
    class_weight : ndarray, optional
        Weight of each class in the loss.
    rng : numpy.random.Generator
        Shuffles the batches.

    Returns
    -------
    history : list of dict
        Per epoch: ``train_loss``, ``lr`` and, with validation, ``val_loss``,
        ``val_accuracy`` (per star).
    best_epoch : int
    """
    module.to(device)
    optimizer = torch.optim.Adam(module.parameters(), lr=learning_rate)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", factor=0.1, patience=5, threshold=0.1, threshold_mode="rel")
    weight = None if class_weight is None else torch.as_tensor(class_weight, dtype=torch.float32, device=device)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
    targets = torch.as_tensor(y_train, dtype=torch.long)
    history, best_state, best_key, best_epoch, stale = [], None, None, 0, 0
    progress = _progress(max_epochs, verbose)
    for epoch in range(max_epochs):
        module.train()
        total, count = 0.0, 0
        epoch_train = train if augment is None else augment(rng)
        for idx in _batches(length_buckets(epoch_train.lengths), batch_size, rng):
            x, aux = _stack(epoch_train, idx, device)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(module(x, aux), targets[idx].to(device))
            loss.backward()
            optimizer.step()
            total += loss.item() * idx.size
            count += idx.size
        record = {"epoch": epoch, "train_loss": total / count, "lr": optimizer.param_groups[0]["lr"]}
        scheduler.step(record["train_loss"])
        if val is not None:
            star_logp = combine_segments(segment_log_proba(module, val, device=device), val.star, val.n_stars)
            record["val_loss"] = float(-star_logp[np.arange(val.n_stars), y_val_star].mean())
            record["val_accuracy"] = float(np.mean(star_logp.argmax(axis=1) == y_val_star))
            key = (record["val_accuracy"], -record["val_loss"])
            if best_key is None or key > best_key:
                best_key, best_epoch, stale = key, epoch, 0
                best_state = copy.deepcopy(module.state_dict())
            else:
                stale += 1
        history.append(record)
        if progress is not None:
            progress.set_postfix({k: f"{v:.4g}" for k, v in record.items() if k != "epoch"})
            progress.update(1)
        if val is not None and stale >= n_iter_no_change:
            break
    if progress is not None:
        progress.close()
    if best_state is not None:
        module.load_state_dict(best_state)
    else:
        best_epoch = len(history) - 1
    module.eval()
    return history, best_epoch


def _progress(total, verbose):
    if not verbose:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="training", unit="epoch")

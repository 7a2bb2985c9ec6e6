"""The training loop and batched inference over length-bucketed segments.

Segments of one star can differ in length from those of another (short stars
keep all their points), so every batch holds segments of a single length and
no padding is ever added: padding would break the exact cyclic invariance.
"""

import copy
import weakref

import numpy as np
import torch
from scipy.special import logsumexp

from .._validation import validate_option
from ..preprocess import Segments, length_buckets

__all__ = ["LR_SCHEDULES", "validate_lr_schedule", "train_network", "segment_log_proba", "segment_features",
           "star_means", "combine_segments",
           "resolve_device"]


def _cosine(optimizer, max_epochs):
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max_epochs)


def _plateau(optimizer, max_epochs):
    # Zhang & Bloom (2020), appendix A: /10 when the training loss has not fallen by 10% in 5 epochs.
    return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.1, patience=5,
                                                      threshold=0.1, threshold_mode="rel")


#: Learning-rate schedules by name: ``factory(optimizer, max_epochs)``, stepped once per epoch.
#: ``"cosine"`` anneals from the initial rate to 0 over ``max_epochs`` (Loshchilov & Hutter 2017);
#: ``"plateau"`` is the paper's schedule, which on EROS-1 cut the rate to ~0 by epoch 15-20 and froze
#: the network below the accuracy the cosine schedule reaches (see CyclicClassifier's ``lr_schedule``).
LR_SCHEDULES = {"cosine": _cosine, "plateau": _plateau}


def validate_lr_schedule(name):
    """Return the key of :data:`LR_SCHEDULES` that ``name`` names, else raise a ValueError listing them."""
    return validate_option(name, LR_SCHEDULES, "lr_schedule")


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


# Inference copies with plain weights, per module: see plain_weights.
_PLAIN_COPIES = weakref.WeakKeyDictionary()


def plain_weights(module):
    """``module`` for prediction: a copy whose weight normalisation is folded into plain weights.

    A weight-normalised layer recomputes its weight from two tensors at every
    call. torch's ``parametrize.cached()`` avoids that, but it is a switch for
    the whole process: while one thread predicts inside it, another thread's
    training fails ("backward through the graph a second time"). The copy
    computes the weights once and shares nothing with the training module.

    It is kept per module and per state of its parameters (torch's in-place
    version counters, which every optimiser step and ``load_state_dict``
    advance), so a module trained again gets a fresh copy.

    Parameters
    ----------
    module : torch.nn.Module
        A network of :mod:`astro_cyclic.nn` (it has ``hparams``).

    Returns
    -------
    torch.nn.Module
        In eval mode, without gradients, on the module's device.
    """
    from torch.nn.utils import parametrize

    from .registry import build_network

    state = tuple(p._version for p in module.parameters())
    cached = _PLAIN_COPIES.get(module)
    if cached is not None and cached[0] == state:
        return cached[1]
    plain = build_network(**module.hparams)
    plain.load_state_dict(module.state_dict())
    for layer in plain.modules():
        if parametrize.is_parametrized(layer):
            for name in list(layer.parametrizations):
                parametrize.remove_parametrizations(layer, name, leave_parametrized=True)
    plain.to(next(module.parameters()).device).eval().requires_grad_(False)
    _PLAIN_COPIES[module] = (state, plain)
    return plain


def segment_log_proba(module, segments, *, device, batch_size=512):
    """Log-probabilities of every segment, shape (n_segments, n_classes), float64."""
    return _per_segment(lambda x, aux: torch.log_softmax(module(x, aux).float(), dim=1), module, segments,
                        device=device, batch_size=batch_size)


def segment_features(module, segments, *, device, batch_size=512):
    """The network's last feature maps averaged over positions, per segment: shape (n_segments, hidden), float64.

    For the invariant networks the average over positions of an equivariant
    feature map is invariant to the segment's starting phase.
    """
    return _per_segment(lambda x, aux: module.feature_maps(x).float().mean(dim=-1), module, segments,
                        device=device, batch_size=batch_size)


@torch.inference_mode()
def _per_segment(compute, module, segments, *, device, batch_size):
    """``compute(x, aux)`` (one row per segment) over large batches of equal-length segments, in eval mode."""
    module.eval()
    out = None
    for idx in _batches(length_buckets(segments.lengths), batch_size, None):
        rows = compute(*_stack(segments, idx, device)).cpu().numpy().astype(np.float64)
        if out is None:
            out = np.empty((len(segments), rows.shape[1]))
        out[idx] = rows
    return out


def star_means(values, star, n_stars):
    """Per-star mean of per-segment ``values`` (n_segments, k): shape (n_stars, k); zero for a star without segments."""
    sums = np.zeros((n_stars, values.shape[1]))
    np.add.at(sums, star, values)
    return sums / np.maximum(np.bincount(star, minlength=n_stars), 1)[:, None]


def combine_segments(seg_log_proba, star, n_stars):
    """Per-star log-probabilities: the mean segment log-probability, renormalised.

    The mean log-probability is the log of the geometric mean of the segment
    probabilities, i.e. the product of the segments' evidence; renormalising
    makes each row a distribution again.
    """
    mean = star_means(seg_log_proba, star, n_stars)
    return mean - logsumexp(mean, axis=1, keepdims=True)


def train_network(module, train, y_train, val=None, y_val_star=None, *, augment=None, class_weight=None,
                  max_epochs=40, batch_size=64, learning_rate=0.005, lr_schedule="cosine", n_iter_no_change=20,
                  device, rng, verbose=0, data_parallel=None):
    """Train ``module`` on segments; return the history and the best epoch.

    Adam with initial learning rate ``learning_rate`` (0.005 as in Zhang &
    Bloom 2020), scheduled per epoch by ``LR_SCHEDULES[lr_schedule]``. With a
    validation set, the weights of the epoch with the best
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
    data_parallel : astro_cyclic.scale.DataParallel, optional
        Train as one of several processes (see :mod:`astro_cyclic.scale`):
        every process passes the same data and an ``rng`` in the same state,
        so that all draw the same batches; each computes the loss of its share
        of every batch, and the gradients are averaged across processes. The
        loss of a batch is its weighted mean over ALL the batch's segments,
        so a step is the single-process step on the whole batch (up to
        float32 rounding of the sums). The per-epoch training loss and the
        validation log-probabilities are summed across processes, so the
        learning-rate schedule, early stopping and the best epoch are the same
        decisions on every process.

    Returns
    -------
    history : list of dict
        Per epoch: ``train_loss``, ``lr`` and, with validation, ``val_loss``,
        ``val_accuracy`` (per star).
    best_epoch : int
    """
    module.to(device)
    model = module if data_parallel is None else data_parallel.wrap(module)
    world_size = 1 if data_parallel is None else data_parallel.world_size
    optimizer = torch.optim.Adam(module.parameters(), lr=learning_rate)
    scheduler = LR_SCHEDULES[validate_lr_schedule(lr_schedule)](optimizer, max_epochs)
    weight = None if class_weight is None else torch.as_tensor(class_weight, dtype=torch.float32, device=device)
    targets = torch.as_tensor(y_train, dtype=torch.long)
    history, best_state, best_key, best_epoch, stale = [], None, None, 0, 0
    progress = _progress(max_epochs, verbose) if data_parallel is None or data_parallel.rank == 0 else None
    for epoch in range(max_epochs):
        model.train()
        total, count = 0.0, 0
        epoch_train = train if augment is None else augment(rng)
        for idx in _batches(length_buckets(epoch_train.lengths), batch_size, rng):
            # The batch loss is sum(w_i * loss_i) / sum(w_i) over the WHOLE batch (CrossEntropyLoss's weighted
            # mean). Each process sums over its share and divides by the whole batch's total weight; times
            # world_size, because DDP averages the processes' gradients instead of adding them.
            total_weight = float(idx.size if class_weight is None else np.sum(class_weight[y_train[idx]]))
            mine = idx if data_parallel is None else data_parallel.shard(idx)
            x, aux = _stack(epoch_train, mine if mine.size else idx[:1], device)
            if not mine.size:
                # A batch smaller than world_size leaves this process nothing, but it must still join
                # the gradient all-reduce: an empty batch gives zero gradients.
                x, aux = x[:0], aux[:0]
            optimizer.zero_grad(set_to_none=True)
            loss_sum = torch.nn.functional.cross_entropy(model(x, aux), targets[mine].to(device), weight=weight,
                                                         reduction="sum")
            (loss_sum * (world_size / total_weight)).backward()
            optimizer.step()
            total += loss_sum.item() / total_weight * idx.size
            count += idx.size
        if data_parallel is not None:
            total = data_parallel.sum(total)
        record = {"epoch": epoch, "train_loss": total / count, "lr": optimizer.param_groups[0]["lr"]}
        if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            scheduler.step(record["train_loss"])
        else:
            scheduler.step()
        if val is not None:
            star_logp = combine_segments(_validation_log_proba(module, val, device, data_parallel),
                                         val.star, val.n_stars)
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


def _validation_log_proba(module, val, device, data_parallel):
    """Segment log-probabilities of the validation set, the same array on every process.

    With several processes each evaluates its share of the segments and the
    shares are summed (the other processes contribute exact zeros), so every
    process takes its decisions on the same numbers.
    """
    if data_parallel is None or len(val) < data_parallel.world_size:
        return segment_log_proba(module, val, device=device)
    mine = data_parallel.shard(np.arange(len(val)))
    part = Segments([val.channels[i] for i in mine], val.aux[mine], val.star[mine], val.n_stars)
    logp = segment_log_proba(module, part, device=device)
    out = np.zeros((len(val), logp.shape[1]))
    out[mine] = logp
    return data_parallel.sum(out)


def _progress(total, verbose):
    if not verbose:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="training", unit="epoch")

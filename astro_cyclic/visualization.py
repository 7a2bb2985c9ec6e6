"""Figures with matplotlib. Each function draws on ``ax`` (a new one when None) and returns it."""

import numpy as np

__all__ = ["plot_confusion_matrix", "plot_folded"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def plot_confusion_matrix(y_true, y_pred, *, labels=None, normalize=True, ax=None, cmap="Blues"):
    """Confusion matrix of per-star predictions.

    Parameters
    ----------
    y_true, y_pred : array-like
        True and predicted labels.
    labels : sequence, optional
        Order of the classes; default the sorted union of both.
    normalize : bool
        Colour by the fraction of each true class (rows sum to 1) and print the
        counts; otherwise colour by counts.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_confusion_matrix(["a", "b", "b"], ["a", "b", "a"])
    >>> ax.get_xlabel()
    'predicted class'
    """
    from sklearn.metrics import confusion_matrix

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = np.unique(np.concatenate([y_true, y_pred])) if labels is None else np.asarray(labels)
    counts = confusion_matrix(y_true, y_pred, labels=labels)
    totals = counts.sum(axis=1, keepdims=True)
    shown = counts / np.maximum(totals, 1) if normalize else counts
    ax = _axes(ax)
    image = ax.imshow(shown, cmap=cmap, vmin=0, vmax=1 if normalize else None)
    for (i, j), count in np.ndenumerate(counts):
        text = f"{count}\n{shown[i, j]:.0%}" if normalize else f"{count}"
        ax.text(j, i, text, ha="center", va="center", fontsize=8,
                color="white" if shown[i, j] > 0.6 * shown.max() else "black")
    ax.set_xticks(range(labels.size), [str(v) for v in labels], rotation=45, ha="right")
    ax.set_yticks(range(labels.size), [str(v) for v in labels])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04,
                       label="fraction of true class" if normalize else "stars")
    return ax


def plot_folded(light_curve, period=None, *, ax=None, cycles=2, **scatter_kwargs):
    """Phase-folded light curve, magnitudes increasing downwards as astronomers plot them.

    Parameters
    ----------
    light_curve : StarLightCurve or any input of :func:`astro_cyclic.as_light_curve`
    period : float, optional
        Days; default the period the light curve carries.
    cycles : int
        Phase cycles drawn side by side (2 shows the shape across phase 0).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from .lightcurves import as_light_curve

    lc = as_light_curve(light_curve)
    period = lc.period if period is None else float(period)
    if period is None:
        raise ValueError(f"{lc.label}: no period to fold on; pass period=")
    phase = np.mod((lc.time - lc.time[0]) / period, 1.0)
    ax = _axes(ax)
    kwargs = {"s": 6, "color": "k"} | scatter_kwargs
    for k in range(cycles):
        ax.scatter(phase + k, lc.mag, **kwargs)
    if not ax.yaxis_inverted():
        ax.invert_yaxis()
    ax.set_xlabel("phase")
    ax.set_ylabel("magnitude")
    name = "" if lc.star_id is None else f"{lc.star_id}, "
    ax.set_title(f"{name}P = {period:.6g} d", fontsize=9)
    return ax

"""Figures with matplotlib: light curves, periodograms, confusion matrices, invariance, training.

Every function draws on ``ax`` and returns what it drew on: one
`~matplotlib.axes.Axes`, or, for the figures with several panels, a NumPy
array of them (``ax`` is then a sequence of that many Axes). With
``ax=None`` a new figure is made with `matplotlib.pyplot`, with matplotlib's
constrained layout, so that titles, labels, legends and colour bars of a
figure made here neither overlap nor fall outside it.

* :func:`plot_folded`: a phase-folded light curve, optionally with one of
  the segments the network classifies highlighted.
* :func:`plot_segment`: a segment as the network sees it: its points on the
  folded light curve, and its two input channels in phase order.
* :func:`plot_periodogram`: the Lomb-Scargle periodogram of the package's
  period search, the period it chose, and that period's aliases [2]_.
* :func:`plot_classification`: one star as a person checks its class: the
  folded light curve, the class probabilities and the periodogram with the
  period candidates.
* :func:`plot_confusion_matrix`: counts, coloured by counts or by the
  fraction of each true class.
* :func:`plot_invariance` (numbers from :func:`invariance_curves`): the
  paper's Figure 1 [1]_ re-made with the package's own iTCN and TCN.
* :func:`plot_training_curves`: loss, validation accuracy and learning rate
  per epoch of a fitted :class:`~astro_cyclic.CyclicClassifier`.

matplotlib is imported only when a function runs, so importing this module
selects no backend.

References
----------
.. [1] Zhang, K. & Bloom, J. S. 2020, "Cyclic-Permutation Invariant Networks for
   Modeling Periodic Sequential Data: Application to Variable Star
   Classification", NeurIPS 2020 Workshop on Machine Learning and the Physical
   Sciences; arXiv:2011.01243.
.. [2] VanderPlas, J. T. 2018, "Understanding the Lomb-Scargle Periodogram",
   ApJS, 236, 16 (aliases: section 7.2).
"""

import numpy as np

__all__ = [
    "PERIODOGRAM_ALIASES",
    "invariance_curves",
    "plot_classification",
    "plot_confusion_matrix",
    "plot_folded",
    "plot_invariance",
    "plot_periodogram",
    "plot_segment",
    "plot_training_curves",
]

#: Aliases :func:`plot_periodogram` can mark: name -> function of the chosen
#: frequency ``f`` (1/day) giving the alias frequencies (1/day).
#: ``"P/2"`` is where the periodogram of an eclipsing binary peaks (two similar
#: eclipses per orbit); ``"2P"`` is where a period found at that peak belongs;
#: ``"1-day"`` are the aliases ``|f +- 1|`` that nightly sampling from the
#: ground creates (VanderPlas 2018, section 7.2).
PERIODOGRAM_ALIASES = {
    "P/2": lambda f: (2.0 * f,),
    "2P": lambda f: (0.5 * f,),
    "1-day": lambda f: (f + 1.0, abs(f - 1.0)),
}


def _validate_aliases(aliases):
    """The alias names asked for, as a tuple of keys of :data:`PERIODOGRAM_ALIASES`."""
    if aliases is None:
        return ()
    names = (aliases,) if isinstance(aliases, str) else tuple(aliases)
    unknown = [name for name in names if name not in PERIODOGRAM_ALIASES]
    if unknown:
        raise ValueError(f"unknown periodogram alias(es) {unknown}; valid names are: "
                         f"{', '.join(PERIODOGRAM_ALIASES)}")
    return names


def _axes(ax):
    """``ax``, checked, or the Axes of a new figure."""
    if ax is None:
        import matplotlib.pyplot as plt

        # A layout engine: titles, labels and colour bars of a figure made here never overlap or clip.
        _, ax = plt.subplots(layout="constrained")
        return ax
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    return ax


def _axes_array(ax, n, what, figsize, sharex=False):
    """``ax`` as an array of ``n`` Axes, checked, or the ``n`` stacked Axes of a new figure."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(n, 1, figsize=figsize, sharex=sharex, squeeze=False, layout="constrained")
        return axes[:, 0]
    from matplotlib.axes import Axes

    # Flatten by hand: np.asarray would try to iterate a single Axes or a figure's 2-D array of them.
    items = list(np.ravel(np.array(ax, dtype=object))) if np.iterable(ax) else [ax]
    if len(items) != n or not all(isinstance(a, Axes) for a in items):
        kinds = ", ".join(type(a).__name__ for a in items)
        raise ValueError(f"{what} draws {n} panels: ax must be a sequence of {n} matplotlib Axes, "
                         f"got {len(items)} object(s) ({kinds})")
    axes = np.empty(n, dtype=object)
    axes[:] = items
    return axes


def _clean(light_curve):
    """The light curve as the estimators see it: converted, then cleaned (sorted, sentinels dropped)."""
    from .lightcurves import as_light_curve, clean_light_curve

    # min_points=1: a figure of a short light curve is still worth drawing.
    return clean_light_curve(as_light_curve(light_curve), min_points=1)


def _fold_period(lc, period):
    period = lc.period if period is None else period
    if period is None:
        raise ValueError(f"{lc.label}: no period to fold on; pass period= (days), e.g. from "
                         "astro_cyclic.find_period")
    if isinstance(period, bool) or not isinstance(period, (int, float, np.integer, np.floating)) \
            or not np.isfinite(period) or period <= 0:
        raise ValueError(f"{lc.label}: period must be a positive number of days, got {period!r}")
    return float(period)


def _segment_bounds(lc, segment, segment_length):
    """``(index, start, stop)`` of segment number ``segment`` of a cleaned light curve."""
    from ._validation import check_number
    from .preprocess import segment_bounds

    bounds = segment_bounds(len(lc), check_number(segment_length, "segment_length", min_val=1))
    if isinstance(segment, bool) or not isinstance(segment, (int, np.integer)) \
            or not -len(bounds) <= segment < len(bounds):
        raise ValueError(f"{lc.label} has {len(bounds)} segment(s) of up to {segment_length} points "
                         f"(indices 0 to {len(bounds) - 1}), got segment={segment!r}")
    index = int(segment) % len(bounds)
    return (index, *bounds[index])


# ------------------------------------------------------------------ light curves
def plot_folded(light_curve, period=None, *, ax=None, cycles=2, segment=None, segment_length=200,
                errorbars=True, **scatter_kwargs):
    """Phase-folded light curve, magnitudes increasing downwards as astronomers plot them.

    The light curve is cleaned first, as the estimators clean it (times
    sorted, non-finite values and survey sentinels such as 99.999 dropped).
    Phase 0 is the first observation.

    Parameters
    ----------
    light_curve : StarLightCurve or any input of :func:`astro_cyclic.as_light_curve`
    period : float, optional
        Days; default the period the light curve carries.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.
    cycles : int
        Phase cycles drawn side by side (2 shows the shape across phase 0).
    segment : int, optional
        Highlight this segment (0-based; negative counts from the end): the
        points :class:`~astro_cyclic.CyclicClassifier` feeds the network
        together, consecutive in time, cut by
        :func:`astro_cyclic.preprocess.segment_bounds`.
    segment_length : int
        Points per segment, L (the estimator's ``segment_length``).
    errorbars : bool
        Draw each point's magnitude error (1 sigma) as a light vertical bar.
    **scatter_kwargs
        Passed to `~matplotlib.axes.Axes.scatter` for the points (not the
        highlighted segment). The bands of a multi-band light curve are drawn
        in colours of their own, with a legend.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        When there is no period, or ``segment`` is not one of the star's segments.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from astro_cyclic import StarLightCurve
    >>> t = np.linspace(0, 300, 450)
    >>> lc = StarLightCurve(t, 15 + 0.3 * np.sin(2 * np.pi * t / 0.61), period=0.61)
    >>> ax = plot_folded(lc, segment=1)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('phase (cycles)', 'magnitude (mag)')
    >>> plt.close(ax.figure)
    """
    lc = _clean(light_curve)
    period = _fold_period(lc, period)
    highlight = None if segment is None else _segment_bounds(lc, segment, segment_length)
    phase = np.mod((lc.time - lc.time[0]) / period, 1.0)
    ax = _axes(ax)
    if errorbars:
        for k in range(cycles):
            ax.errorbar(phase + k, lc.mag, yerr=lc.err, fmt="none", ecolor="0.8", elinewidth=0.6, zorder=1)
    if lc.band is not None and highlight is None:
        # Each band in its colour: their offsets (colours) and relative phases stay visible.
        for j, band in enumerate(lc.bands):
            on = lc.band == band
            for k in range(cycles):
                ax.scatter(phase[on] + k, lc.mag[on], **({"s": 6, "color": f"C{j}"} | scatter_kwargs),
                           label=band if k == 0 else None)
        ax.legend(title="band", loc="upper right", fontsize=8)
    else:
        kwargs = {"s": 6, "color": "k" if highlight is None else "0.65"} | scatter_kwargs
        for k in range(cycles):
            ax.scatter(phase + k, lc.mag, **kwargs)
    if highlight is not None:
        index, start, stop = highlight
        for k in range(cycles):
            ax.scatter(phase[start:stop] + k, lc.mag[start:stop], s=14, color="C3", zorder=3,
                       label=f"segment {index}: points {start} to {stop - 1}" if k == 0 else None)
        ax.legend(loc="upper right", fontsize=8)
    if not ax.yaxis_inverted():
        ax.invert_yaxis()
    ax.set_xlabel("phase (cycles)")
    ax.set_ylabel("magnitude (mag)")
    name = "" if lc.star_id is None else f"{lc.star_id}, "
    ax.set_title(f"{name}P = {period:.6g} d", fontsize=9)
    return ax


def plot_segment(light_curve, period=None, *, segment=0, segment_length=200, ax=None):
    """One segment of a light curve, on the folded light curve and as the network's input.

    :class:`~astro_cyclic.CyclicClassifier` cuts a star, in time order, into
    segments of ``segment_length`` points (:mod:`astro_cyclic.preprocess`),
    folds each on the period and sorts it by phase. The top panel shows the
    segment's points on the star's folded light curve; the bottom panel the
    two channels the network reads along the segment, in phase order
    (:func:`astro_cyclic.preprocess.fold_segment`): the phase gap to the
    previous point in units of the mean gap (the first is the gap that closes
    the ring), and the magnitude standardised over the segment. Fitting also
    rescales the gap channel with training-set constants, an affine map not
    shown here.

    Parameters
    ----------
    light_curve : StarLightCurve or any input of :func:`astro_cyclic.as_light_curve`
    period : float, optional
        Days; default the period the light curve carries.
    segment : int
        Which segment (0-based; negative counts from the end).
    segment_length : int
        Points per segment, L.
    ax : sequence of 2 matplotlib.axes.Axes, optional
        Top and bottom panels; default a new figure.

    Returns
    -------
    ndarray of 2 matplotlib.axes.Axes
        The folded light curve and the network input.

    Raises
    ------
    ValueError
        When there is no period, ``segment`` is not one of the star's
        segments, or ``ax`` is not two Axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from astro_cyclic import StarLightCurve
    >>> t = np.linspace(0, 300, 450)
    >>> lc = StarLightCurve(t, 15 + 0.3 * np.sin(2 * np.pi * t / 0.61), period=0.61)
    >>> top, bottom = plot_segment(lc, segment=-1)
    >>> bottom.get_xlabel()
    'position in the phase-sorted segment (points)'
    >>> plt.close(top.figure)
    """
    from .preprocess import fold_segment

    lc = _clean(light_curve)
    period = _fold_period(lc, period)
    index, start, stop = _segment_bounds(lc, segment, segment_length)
    axes = _axes_array(ax, 2, "plot_segment", figsize=(6.4, 6.4))
    plot_folded(lc, period, ax=axes[0], segment=index, segment_length=segment_length)
    channels, _ = fold_segment(lc.time[start:stop], lc.mag[start:stop], period)
    position = np.arange(channels.shape[1])
    axes[1].plot(position, channels[1], ".-", color="C3", lw=0.8, ms=4,
                 label="magnitude, standardised (segment std)")
    axes[1].step(position, channels[0], where="mid", color="C0", lw=0.8,
                 label="phase gap to previous point (mean gaps)")
    axes[1].axhline(0, color="0.8", lw=0.5, zorder=0)
    axes[1].set_xlabel("position in the phase-sorted segment (points)")
    axes[1].set_ylabel("network input (dimensionless)")
    axes[1].set_title(f"segment {index}: {stop - start} points as the network reads them", fontsize=9)
    axes[1].legend(loc="upper right", fontsize=8)
    return axes


def plot_periodogram(light_curve, *, period_search=None, aliases=("P/2", "2P", "1-day"), axis="frequency",
                     candidates=False, ax=None):
    """Lomb-Scargle periodogram with the period the package chooses, and its aliases.

    The periodogram and the period are those of
    :func:`astro_cyclic.find_period` with the settings of ``period_search``,
    i.e. what :class:`~astro_cyclic.CyclicClassifier` uses for a star that
    carries no period. The chosen period is not always the highest peak: the
    highest peaks are refitted with a multi-harmonic model, and the period of
    most eclipsing binaries is doubled (their periodogram peaks at ``P/2``).
    A catalogue period carried by the light curve is marked as well.

    Parameters
    ----------
    light_curve : StarLightCurve or any input of :func:`astro_cyclic.as_light_curve`
    period_search : PeriodSearch, optional
        Settings of the search and of its frequency grid; default ``PeriodSearch()``.
    aliases : sequence of str or None
        Aliases of the chosen period to mark, names from
        :data:`PERIODOGRAM_ALIASES`: ``"P/2"``, ``"2P"``, ``"1-day"`` (the
        frequencies ``|1/P +- 1|`` per day). Aliases outside the frequency
        grid are left out. None marks none.
    axis : {"frequency", "period"}
        The horizontal axis: frequency (1/day, linear), or period (days, on a
        log scale, where a 64.5 d Mira and a 0.3 d RR Lyrae are both visible).
    candidates : bool
        Mark the period search's other candidates
        (:meth:`~astro_cyclic.PeriodSearch.candidates`) with their flags.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        Power against frequency (1/day) or period (day); the chosen period is
        the line labelled ``"chosen"``.

    Raises
    ------
    ValueError
        For an unknown alias name, or when the period search fails (too short
        a time span, an invalid grid); the message names the star.
    TypeError
        When ``period_search`` is not a :class:`~astro_cyclic.PeriodSearch`.

    References
    ----------
    .. [1] VanderPlas, J. T. 2018, ApJS, 236, 16.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> t = np.sort(rng.uniform(0, 300, 200))
    >>> mag = 15 + 0.4 * np.sin(2 * np.pi * t / 0.5672) + rng.normal(0, 0.05, t.size)
    >>> ax = plot_periodogram((t, mag))
    >>> ax.get_xlabel()
    'frequency (1/day)'
    >>> [line.get_label() for line in ax.get_lines()][1]
    'chosen P = 0.5672 d'
    >>> plt.close(ax.figure)
    >>> plot_periodogram((t, mag), axis="period").get_xscale()
    'log'
    >>> plt.close("all")
    """
    from .period import PeriodSearch, find_period

    from ._validation import validate_option

    names = _validate_aliases(aliases)
    axis = validate_option(axis, ("frequency", "period"), "axis")
    search = PeriodSearch() if period_search is None else period_search
    if not isinstance(search, PeriodSearch):
        raise TypeError(f"period_search must be an astro_cyclic.PeriodSearch, got {type(search).__name__}")
    lc = _clean(light_curve)
    try:
        period, frequency, power = find_period(lc.time, lc.mag, lc.err, band=lc.band, return_periodogram=True,
                                               **search.get_params())
        table = search.candidates(lc) if candidates else None
    except ValueError as exc:
        raise ValueError(f"{lc.label}: {exc}") from None
    ax = _axes(ax)
    x = (lambda f: f) if axis == "frequency" else (lambda f: 1.0 / np.asarray(f))
    # find_period marks frequencies it could not evaluate with -inf; leave them blank.
    ax.plot(x(frequency), np.where(np.isfinite(power), power, np.nan), color="k", lw=0.6, label="_periodogram")
    ax.axvline(x(1.0 / period), color="C3", lw=1.2, label=f"chosen P = {period:.4g} d")
    if lc.period is not None:
        ax.axvline(x(1.0 / lc.period), color="C0", lw=1.2, ls="--", label=f"catalogue P = {lc.period:.4g} d")
    low, high = frequency[0], frequency[-1]
    for name, color in zip(names, ("C1", "C2", "C4")):
        shown = [f for f in PERIODOGRAM_ALIASES[name](1.0 / period) if low <= f <= high]
        for k, f in enumerate(shown):
            ax.axvline(x(f), color=color, lw=0.9, ls=":", label=f"alias {name}" if k == 0 else None)
    if table is not None and len(table) > 1:
        others = table[1:]
        heights = np.interp(others["frequency"], frequency, np.where(np.isfinite(power), power, 0.0))
        ax.plot(x(others["frequency"]), heights, "v", color="C2", ms=6, label="other candidates")
        for f, h, flags in zip(others["frequency"], heights, others["flags"]):
            if flags:
                ax.annotate(flags.replace(",", "\n"), (x(f), h), textcoords="offset points", xytext=(0, 6),
                            ha="center", fontsize=6, color="C2")
    if axis == "frequency":
        ax.set_xlim(low, high)
        ax.set_xlabel("frequency (1/day)")
    else:
        ax.set_xscale("log")
        ax.set_xlim(1.0 / high, 1.0 / low)
        ax.set_xlabel("period (day)")
    ax.set_ylabel("Lomb-Scargle power (normalised)")
    name = "" if lc.star_id is None else f"{lc.star_id}: "
    ax.set_title(f"{name}periodogram, chosen period {period:.6g} d", fontsize=9)
    ax.legend(loc="upper right", fontsize=8)
    return ax


# ------------------------------------------------------------------ classification results
def plot_classification(classifier, light_curve, *, fig=None):
    """One star as a person checks its classification: the folded light curve, the periodogram, the answer.

    The star is prepared as the classifier prepares it (cleaned; its
    catalogue period, or the one its ``period_search`` finds), then three
    panels are drawn: the light curve folded on that period (two cycles,
    error bars, magnitudes increasing downwards); the class probabilities as
    bars, the predicted class highlighted; and the periodogram on a log-period
    axis around the period, with the search's other candidates and their flags
    (``alias``, ``daily``, ``half``, ...) marked.

    Parameters
    ----------
    classifier : CyclicClassifier or RichardsForestClassifier
        Fitted.
    light_curve : StarLightCurve or any input of :func:`astro_cyclic.as_light_curve`
    fig : matplotlib.figure.Figure, optional
        An empty figure to draw in; default a new one (constrained layout).

    Returns
    -------
    ndarray of matplotlib.axes.Axes
        The folded light curve, the probabilities and the periodogram.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from astro_cyclic import RichardsForestClassifier
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> data = make_periodic_variables(30, classes=["RRab", "EA"], random_state=0)
    >>> clf = RichardsForestClassifier(n_estimators=20, random_state=0).fit(data.light_curves, data.target)
    >>> axes = plot_classification(clf, data.light_curves[0])
    >>> [ax.get_xlabel() for ax in axes]
    ['phase (cycles)', 'probability', 'period (day)']
    >>> plt.close("all")
    """
    from sklearn.utils.validation import check_is_fitted

    from .period import PeriodSearch
    from .prepare import prepare_light_curve

    check_is_fitted(classifier)
    star = prepare_light_curve(light_curve, period_search=classifier.period_search,
                               min_points=classifier.min_points)
    proba = np.asarray(classifier.predict_proba([star]))[0]
    classes = np.asarray(classifier.classes_).astype(str)
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(9.0, 6.5), layout="constrained")
    grid = fig.add_gridspec(2, 3)
    folded, bars, periodogram = (fig.add_subplot(grid[0, :2]), fig.add_subplot(grid[0, 2]),
                                 fig.add_subplot(grid[1, :]))
    lc = star.light_curve
    plot_folded(lc, ax=folded)
    folded.set_title(f"folded on P = {star.period:.6g} d ({star.period_source})", fontsize=9)
    order = np.argsort(proba)
    best = classes[np.argmax(proba)]
    bars.barh(classes[order], proba[order], color=["C3" if c == best else "0.6" for c in classes[order]])
    bars.set_xlim(0, 1)
    bars.set_xlabel("probability")
    bars.set_title(f"{type(classifier).__name__}", fontsize=9)
    for y, value in enumerate(proba[order]):
        bars.text(min(value + 0.02, 0.8), y, f"{value:.2f}", va="center", fontsize=8)
    search = classifier.period_search or PeriodSearch()
    plot_periodogram(lc.with_period(None), period_search=search, aliases=None, axis="period", candidates=True,
                     ax=periodogram)
    table = search.candidates(lc)
    periods = np.r_[table["period"], star.period]
    periodogram.set_xlim(max(periods.min() / 2, periodogram.get_xlim()[0]),
                         min(periods.max() * 2, periodogram.get_xlim()[1]))
    if star.period_source != "search":
        periodogram.axvline(star.period, color="C0", lw=1.2, ls="--", label=f"{star.period_source} P")
        periodogram.legend(loc="upper right", fontsize=8)
    name = "star" if lc.star_id is None else str(lc.star_id)
    fig.suptitle(f"{name}: {best} (probability {proba.max():.2f})", fontsize=11)
    axes = np.empty(3, dtype=object)
    axes[:] = [folded, bars, periodogram]
    return axes


def plot_confusion_matrix(y_true, y_pred, *, labels=None, normalize=True, ax=None, cmap="Blues"):
    """Confusion matrix of per-star predictions.

    Parameters
    ----------
    y_true, y_pred : array-like
        True and predicted labels.
    labels : sequence, optional
        Order of the classes; default the sorted union of both.
    normalize : bool
        Colour by the fraction of each true class (rows sum to 1) and print
        both the count and the fraction in each cell; otherwise colour by
        counts and print the counts.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.
    cmap : str or matplotlib.colors.Colormap
        Colour map.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_confusion_matrix(["a", "b", "b"], ["a", "b", "a"])
    >>> ax.get_xlabel()
    'predicted class'
    >>> ax = plot_confusion_matrix(["a", "b", "b"], ["a", "b", "a"], normalize=False)
    >>> [text.get_text() for text in ax.texts]
    ['1', '0', '1', '1']
    >>> plt.close("all")
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


def invariance_curves(*, length=60, n_cycles=2, depth=4, kernel_size=2, hidden=8, random_state=0):
    """The numbers of the paper's Figure 1: an iTCN and a TCN with equal weights on a shifted sine.

    An iTCN is built with :func:`astro_cyclic.nn.build_network` (one input
    channel, no auxiliary inputs, no dropout) and its weights are loaded
    into a TCN, which differs only in its zero padding and in classifying
    from the last position. Both read a sine of ``n_cycles`` periods over
    ``length`` points, cyclically shifted by every number of positions
    ``0 .. length - 1``. The defaults are the paper's: receptive field 30
    (depth 4, kernel size 2) and a length-60 sine of two oscillations.
    Computed in float64, so the iTCN's output is constant to rounding.

    Parameters
    ----------
    length : int
        Points of the input sequence (>= 2).
    n_cycles : int or float
        Sine periods over the sequence (> 0).
    depth, kernel_size, hidden : int
        Network hyper-parameters, see :func:`astro_cyclic.nn.build_network`.
    random_state : int
        Seeds the shared initial weights (torch's global generator is left
        as it was).

    Returns
    -------
    sklearn.utils.Bunch
        ``shift`` (positions), ``itcn`` and ``tcn``: network output per shift,
        the log-odds of class 0 against class 1 (logit difference, nats);
        ``position``, ``itcn_features`` and ``tcn_features``: the last
        residual block's feature map for the unshifted input, for the
        ``channel`` that varies most in the iTCN; ``receptive_field``
        (positions).

    Raises
    ------
    ValueError
        For an out-of-range size.

    References
    ----------
    .. [1] Zhang & Bloom 2020, arXiv:2011.01243, Figure 1 and section 2.

    Examples
    --------
    >>> import numpy as np
    >>> curves = invariance_curves()
    >>> curves.receptive_field
    30
    >>> bool(np.ptp(curves.itcn) < 1e-9 < np.ptp(curves.tcn))
    True
    """
    import torch
    from sklearn.utils import Bunch

    import numbers

    from ._validation import check_number
    from .nn import build_network

    check_number(length, "length", min_val=2)
    check_number(n_cycles, "n_cycles", numbers.Real, min_val=0, include_boundaries="neither")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(random_state))
        itcn = build_network("itcn", n_classes=2, n_channels=1, n_aux=0, segment_length=int(length),
                             depth=depth, kernel_size=kernel_size, hidden=hidden, dropout=0.0)
        tcn = build_network(**{**itcn.hparams, "name": "tcn"})  # its own initial weights are replaced
    tcn.load_state_dict(itcn.state_dict())
    itcn, tcn = itcn.double().eval(), tcn.double().eval()
    sine = torch.sin(2 * torch.pi * n_cycles * torch.arange(length, dtype=torch.float64) / length)
    shifted = torch.stack([torch.roll(sine, s) for s in range(length)])[:, None, :]
    with torch.no_grad():
        outputs = {}
        for name, net in (("itcn", itcn), ("tcn", tcn)):
            logits = net(shifted, None)
            outputs[name] = (logits[:, 0] - logits[:, 1]).numpy()
        itcn_maps = itcn.feature_maps(shifted[:1])[0].numpy()
        tcn_maps = tcn.feature_maps(shifted[:1])[0].numpy()
    # A ReLU can leave a channel flat; show the one whose periodic shape is clearest.
    channel = int(np.argmax(itcn_maps.std(axis=1)))
    return Bunch(shift=np.arange(length), itcn=outputs["itcn"], tcn=outputs["tcn"],
                 position=np.arange(length), input=sine.numpy(), itcn_features=itcn_maps[channel],
                 tcn_features=tcn_maps[channel], channel=channel, receptive_field=itcn.receptive_field)


def plot_invariance(*, ax=None, **curve_kwargs):
    """The paper's Figure 1 re-made: an iTCN and a TCN with equal weights on a cyclically shifted sine.

    Top: the input sine and one channel of the last residual block's
    feature map. With symmetry padding (iTCN) the map is as periodic as the
    input; zero padding (TCN) distorts its first ``receptive_field``
    positions, which is the paper's point. Bottom: the network output
    against the cyclic shift of the input: flat for the iTCN (exact
    invariance), varying for the TCN, which sees one starting phase.

    Parameters
    ----------
    ax : sequence of 2 matplotlib.axes.Axes, optional
        Top and bottom panels; default a new figure.
    **curve_kwargs
        Passed to :func:`invariance_curves` (``length``, ``n_cycles``,
        ``depth``, ``kernel_size``, ``hidden``, ``random_state``).

    Returns
    -------
    ndarray of 2 matplotlib.axes.Axes
        Feature maps, and output against shift (its lines are labelled
        ``"iTCN"`` and ``"TCN"``).

    References
    ----------
    .. [1] Zhang & Bloom 2020, arXiv:2011.01243, Figure 1.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> maps, outputs = plot_invariance()
    >>> outputs.get_xlabel()
    'cyclic shift of the input (positions)'
    >>> plt.close(maps.figure)
    """
    curves = invariance_curves(**curve_kwargs)
    axes = _axes_array(ax, 2, "plot_invariance", figsize=(6.4, 6.4))
    top, bottom = axes
    top.plot(curves.position, curves.input, color="0.6", lw=1, label="input (sine)")
    top.plot(curves.position, curves.tcn_features, color="k", lw=1.2, label="TCN (zero padding)")
    top.plot(curves.position, curves.itcn_features, color="C3", lw=1.2, ls="--", label="iTCN (symmetry padding)")
    top.axvspan(-0.5, min(curves.receptive_field, curves.position[-1]) - 0.5, color="0.93", zorder=0,
                label=f"first {curves.receptive_field} positions (receptive field)")
    top.set_xlabel("position in the sequence (points)")
    top.set_ylabel(f"feature map, channel {curves.channel} (arbitrary units)")
    top.set_title("equal weights: symmetry padding keeps the feature map periodic", fontsize=9)
    top.legend(loc="lower right", fontsize=7)
    bottom.plot(curves.shift, curves.tcn, "o-", color="k", ms=3, lw=1, label="TCN")
    bottom.plot(curves.shift, curves.itcn, "s--", color="C3", ms=3, lw=1, label="iTCN")
    bottom.set_xlabel("cyclic shift of the input (positions)")
    bottom.set_ylabel("output: log-odds of class 0 (nats)")
    bottom.set_title(f"iTCN output varies by {np.ptp(curves.itcn):.1e}, TCN output by {np.ptp(curves.tcn):.2g}",
                     fontsize=9)
    bottom.legend(loc="best", fontsize=8)
    return axes


def _history(history):
    """``(records, best_epoch)`` from a fitted CyclicClassifier or a history list."""
    from sklearn.utils.validation import check_is_fitted

    from .estimators import CyclicClassifier

    best = None
    if isinstance(history, CyclicClassifier):
        check_is_fitted(history, "history_")
        history, best = history.history_, history.best_epoch_
    if not isinstance(history, (list, tuple)) or not history \
            or not all(isinstance(r, dict) and "train_loss" in r and "lr" in r for r in history):
        raise ValueError("expected a fitted CyclicClassifier, or its history_: a non-empty list of per-epoch "
                         f"dicts with 'train_loss' and 'lr', got {type(history).__name__}")
    return list(history), best


def plot_training_curves(history, *, best_epoch=None, ax=None):
    """Loss, validation accuracy and learning rate per epoch of a network's training.

    Three stacked panels sharing the epoch axis: training loss (and
    validation loss, per star), validation accuracy (per star) and the
    learning rate (log scale; it drops tenfold when the training loss stalls,
    see :class:`~astro_cyclic.CyclicClassifier`). A dashed line marks the
    best epoch, whose weights the estimator kept. Without a validation set
    (``train_split=None``) the accuracy panel says so.

    Parameters
    ----------
    history : CyclicClassifier or list of dict
        A fitted :class:`~astro_cyclic.CyclicClassifier`, or its ``history_``.
    best_epoch : int, optional
        Epoch to mark; default the estimator's ``best_epoch_`` (nothing is
        marked for a bare history without it).
    ax : sequence of 3 matplotlib.axes.Axes, optional
        The three panels, top to bottom; default a new figure.

    Returns
    -------
    ndarray of 3 matplotlib.axes.Axes
        Loss, validation accuracy, learning rate.

    Raises
    ------
    ValueError
        When ``history`` is neither a fitted classifier nor a history, or
        ``ax`` is not three Axes.
    sklearn.exceptions.NotFittedError
        For an unfitted classifier.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from astro_cyclic import CyclicClassifier
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> data = make_periodic_variables(40, classes=["RRab", "EA"], n_points=(40, 80), random_state=0)
    >>> clf = CyclicClassifier(module__hidden=4, module__depth=2, max_epochs=3, random_state=0)
    >>> loss, accuracy, lr = plot_training_curves(clf.fit(data.light_curves, data.target))
    >>> lr.get_xlabel(), lr.get_yscale()
    ('epoch', 'log')
    >>> plt.close(loss.figure)
    """
    records, best = _history(history)
    best = best if best_epoch is None else int(best_epoch)
    epochs = np.array([r.get("epoch", k) for k, r in enumerate(records)])
    axes = _axes_array(ax, 3, "plot_training_curves", figsize=(6.4, 7.2), sharex=True)
    loss, accuracy, lr = axes

    def column(key):
        return np.array([np.nan if r.get(key) is None else r[key] for r in records], dtype=float)

    loss.plot(epochs, column("train_loss"), "o-", ms=3, color="C0", label="training (per segment)")
    has_val = any(r.get("val_loss") is not None for r in records)
    if has_val:
        loss.plot(epochs, column("val_loss"), "s-", ms=3, color="C1", label="validation (per star)")
        accuracy.plot(epochs, 100 * column("val_accuracy"), "s-", ms=3, color="C1")
    else:
        accuracy.text(0.5, 0.5, "no validation set", transform=accuracy.transAxes, ha="center", va="center")
    lr.plot(epochs, column("lr"), "o-", ms=3, color="C2")
    lr.set_yscale("log")
    loss.set_ylabel("cross-entropy (nats)")
    accuracy.set_ylabel("validation accuracy (%)")
    lr.set_ylabel("learning rate")
    lr.set_xlabel("epoch")
    if best is not None:
        for panel in axes:
            panel.axvline(best, color="k", ls="--", lw=0.8, label=f"best epoch ({best})" if panel is loss else None)
    loss.legend(loc="upper right", fontsize=8)
    loss.set_title(f"{len(records)} epochs" + ("" if best is None else f", weights of epoch {best} kept"),
                   fontsize=9)
    return axes

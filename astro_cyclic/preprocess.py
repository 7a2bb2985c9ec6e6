"""From a cleaned light curve and its period to the network's input segments.

Following Zhang & Bloom (2020), a light curve is cut, in time order, into
segments of ``segment_length`` points; each segment is folded on the period and
sorted by phase. Its two channels are the phase gap to the previous point
(including the wrap-around gap from the last point back to the first, which is
what makes the sequence a closed ring) and the normalised magnitude; its
auxiliary inputs are the segment's mean and standard deviation of magnitude and
log10 of the period.

Two departures from the paper's code, both so that no star is lost:

* the points after the last full segment form one more segment made of the
  last ``segment_length`` points of the star (it overlaps the previous one), so
  every point is used;
* a star with fewer than ``segment_length`` points becomes one shorter segment.
  Convolutions with symmetry padding accept any length, and batches are made of
  segments of equal length (see :func:`length_buckets`), so nothing is padded
  or resampled.

Phase gaps are multiplied by the segment's number of points, i.e. measured in
units of the mean gap, so that short and long segments share one scale.

Several bands
-------------
A star observed in several bands is one ring too: every observation of every
band, cut into segments in time order and sorted by phase together, so a
common shift of the phase of all bands rotates the ring (the network stays
exactly invariant to it) while the bands keep their relative phase (a colour
that changes along the cycle is visible). The channels are the phase gap to
the previous observation of any band; one magnitude channel per band, holding
the magnitude standardised within that band (its mean and scale in the
segment) where the observation is in the band and 0 elsewhere; and one
indicator channel per band (1 where the observation is in that band). With a
magnitude channel of its own, each band has its own weights in the first
convolution: on EROS-1 (split 0 of the benchmark) this scored 96.3% per star
against 95.1% with one magnitude channel shared by the bands. The auxiliary
inputs are each band's mean and standard deviation, the colours (differences
of consecutive bands' means) and log10 of the period; a band missing from a
segment has NaN there, which :class:`Standardizer` sets to the training mean.

The mean magnitudes are the only auxiliary inputs a zero point changes
(:func:`magnitude_columns`); :class:`~astro_cyclic.CyclicClassifier` leaves
them out of the network's inputs unless ``apparent_magnitude=True``.
"""

import warnings

import numpy as np

__all__ = ["Segments", "segment_light_curves", "magnitude_columns", "segment_bounds", "fold_segment", "fold_segments",
           "thin_segments", "Standardizer", "length_buckets"]

N_CHANNELS = 2
N_AUX = 3


def segment_bounds(n_points, segment_length):
    """Start and stop indices of the segments of a light curve of ``n_points``.

    Examples
    --------
    >>> segment_bounds(450, 200)
    [(0, 200), (200, 400), (250, 450)]
    >>> segment_bounds(120, 200)
    [(0, 120)]
    """
    if n_points <= segment_length:
        return [(0, n_points)]
    bounds = [(start, start + segment_length) for start in range(0, n_points - segment_length + 1, segment_length)]
    if bounds[-1][1] < n_points:
        bounds.append((n_points - segment_length, n_points))
    return bounds


def fold_segment(time, mag, period):
    """Fold one segment and return its channels and auxiliary inputs.

    Parameters
    ----------
    time, mag : ndarray
        Times (days, sorted) and magnitudes of the segment's points.
    period : float
        Days.

    Returns
    -------
    channels : ndarray, shape (2, n)
        Phase gap in units of the mean gap ``1/n`` (the first entry is the
        wrap-around gap), and the magnitude standardised to zero mean and unit
        variance, both in phase order.
    aux : ndarray, shape (3,)
        Mean magnitude, magnitude standard deviation, log10(period / day).

    Examples
    --------
    >>> import numpy as np
    >>> channels, aux = fold_segment(np.array([0.0, 1.25, 2.5, 3.75]), np.array([1.0, 2, 3, 2]), 1.0)
    >>> channels[0]
    array([1., 1., 1., 1.])
    """
    n = time.size
    phase = np.mod((time - time[0]) / period, 1.0)
    order = np.argsort(phase, kind="stable")
    phase, mag = phase[order], mag[order]
    gaps = np.empty(n)
    gaps[0] = phase[0] + 1.0 - phase[-1]
    gaps[1:] = np.diff(phase)
    mean, std = mag.mean(), mag.std()
    scaled = (mag - mean) / std if std > 0 else mag - mean
    return np.stack([gaps * n, scaled]), np.array([mean, std, np.log10(period)])


class Segments:
    """The segments of a set of stars.

    Attributes
    ----------
    channels : list of ndarray, each (2, n_i)
        Network input of each segment (float32).
    aux : ndarray, shape (n_segments, 3)
        Auxiliary inputs (float32).
    star : ndarray of int, shape (n_segments,)
        Index of the star each segment belongs to.
    lengths : ndarray of int
        Points in each segment.
    n_stars : int
    """

    def __init__(self, channels, aux, star, n_stars):
        self.channels = channels
        self.aux = aux
        self.star = star
        self.n_stars = n_stars
        self.lengths = np.array([c.shape[1] for c in channels], dtype=int)

    def __len__(self):
        return len(self.channels)

    def subset(self, mask, stars):
        """The segments selected by ``mask``, which must be those of ``stars``, renumbered 0..len(stars)-1."""
        renumber = np.full(self.n_stars, -1)
        renumber[stars] = np.arange(len(stars))
        idx = np.flatnonzero(mask)
        return Segments([self.channels[i] for i in idx], self.aux[idx], renumber[self.star[idx]], len(stars))


def n_channels(bands):
    """Input channels of the network for light curves in ``bands`` (empty: single-band)."""
    return N_CHANNELS + (2 * len(bands) - 1 if bands else 0)


def n_aux(bands):
    """Auxiliary inputs per segment for ``bands``: means, scales, colours and log10 period."""
    return N_AUX if not bands else 3 * len(bands)


def magnitude_columns(bands):
    """Positions of the mean magnitudes (one per band) among the auxiliary inputs of segments in ``bands``.

    They are the only auxiliary inputs a constant magnitude offset (a zero
    point, a flux normalisation) changes: the scales, colours and period do not.
    """
    return [0] if not bands else list(range(len(bands)))


def segment_light_curves(light_curves, periods, segment_length, bands=None):
    """Cut cleaned light curves into folded segments.

    Segments of equal length are folded together, as one 2-D array
    (:func:`fold_segments`): the same numbers as :func:`fold_segment` on each
    segment, without its per-segment numpy calls (the per-star cost is in
    ``benchmarks/results/performance.md``).

    Parameters
    ----------
    light_curves : list of StarLightCurve
        Cleaned (sorted, finite).
    periods : array-like
        Period of each star, days.
    segment_length : int
        Points per segment, L.
    bands : sequence of str, optional
        The bands of multi-band light curves, in channel order (see the
        module notes); every observation must be in one of them. None (the
        default) folds single-band light curves, ignoring any band labels.

    Returns
    -------
    Segments
        Segments in star order, and in time order within a star.

    Raises
    ------
    ValueError
        With ``bands``, for a light curve without band labels or with a band
        not among them (the star and band are named).
    """
    periods = np.asarray(periods, dtype=np.float64)
    if periods.shape != (len(light_curves),):
        raise ValueError(f"need one period per light curve, got {periods.shape} periods "
                         f"for {len(light_curves)} light curves")
    star, starts, stops = [], [], []
    for i, lc in enumerate(light_curves):
        for start, stop in segment_bounds(len(lc), segment_length):
            star.append(i)
            starts.append(start)
            stops.append(stop)
    star = np.asarray(star, dtype=int)
    lengths = np.asarray(stops, dtype=int) - np.asarray(starts, dtype=int)
    channels = [None] * star.size
    aux = np.empty((star.size, n_aux(bands)), dtype=np.float32)
    codes = None if not bands else [_band_codes(lc, bands) for lc in light_curves]
    for n, idx in (length_buckets(lengths).items() if star.size else ()):
        time = np.stack([light_curves[star[k]].time[starts[k]:stops[k]] for k in idx])
        mag = np.stack([light_curves[star[k]].mag[starts[k]:stops[k]] for k in idx])
        if codes is None:
            block, block_aux = fold_segments(time, mag, periods[star[idx]])
        else:
            code = np.stack([codes[star[k]][starts[k]:stops[k]] for k in idx])
            block, block_aux = fold_multiband_segments(time, mag, code, periods[star[idx]], len(bands))
        block = block.astype(np.float32)
        for k, c in zip(idx, block):
            channels[k] = c
        aux[idx] = block_aux
    return Segments(channels, aux, star, len(light_curves))


def _band_codes(lc, bands):
    """The index in ``bands`` of each observation's band."""
    if lc.band is None:
        raise ValueError(f"{lc.label} has no band labels, but the model takes bands {', '.join(bands)}; "
                         "give every star its bands (e.g. a 'band' column)")
    names, inverse = np.unique(lc.band, return_inverse=True)
    unknown = [name for name in names.tolist() if name not in bands]
    if unknown:
        raise ValueError(f"{lc.label} has observations in band(s) {', '.join(unknown)}, which the model does not "
                         f"know (its bands: {', '.join(bands)})")
    return np.array([bands.index(name) for name in names.tolist()], dtype=np.int64)[inverse]


def _band_statistics(mag, code, n_bands):
    """Each band's mean and standard deviation per row, and the magnitudes standardised within their band.

    Rows are segments; a band without points in a row has NaN mean and scale.
    """
    member = code[:, None, :] == np.arange(n_bands)[None, :, None]  # (segments, bands, points)
    count = member.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(member, mag[:, None, :], 0.0).sum(axis=2) / count
        deviation = np.where(member, mag[:, None, :] - mean[:, :, None], 0.0)
        std = np.sqrt((deviation ** 2).sum(axis=2) / count)
    scale = np.where(std > 0, std, 1.0)  # NaN (absent band) > 0 is False: scale 1, and no point uses it
    scaled = (deviation / scale[:, :, None]).sum(axis=1)  # every point is in exactly one band
    return mean, std, scaled, member


def _multiband_aux(mean, std, period):
    """Auxiliary inputs of multi-band segments: means, scales, colours (consecutive bands), log10 period."""
    return np.concatenate([mean, std, mean[:, :-1] - mean[:, 1:], np.log10(period)[:, None]], axis=1)


def fold_multiband_segments(time, mag, code, period, n_bands):
    """Fold multi-band segments of equal length: :func:`fold_segments` with a band per observation.

    Parameters
    ----------
    time, mag : ndarray, shape (n_segments, n)
        Times (days, sorted along each row) and magnitudes, all bands together.
    code : ndarray of int, shape (n_segments, n)
        The band of each observation, 0 to ``n_bands - 1``.
    period : ndarray, shape (n_segments,)
        Days.
    n_bands : int

    Returns
    -------
    channels : ndarray, shape (n_segments, 1 + 2 * n_bands, n)
        Phase gap (units of the mean gap); one row per band of the magnitudes
        standardised within that band (0 at the other bands' observations);
        one indicator row per band; in phase order.
    aux : ndarray, shape (n_segments, 3 * n_bands)
        Each band's mean magnitude, then each band's standard deviation, the
        colours ``mean[b] - mean[b + 1]`` and log10(period / day); NaN for a
        band without observations in the segment.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([[0.0, 0.25, 0.5, 0.75]])
    >>> channels, aux = fold_multiband_segments(t, np.array([[15.0, 14.0, 15.2, 14.4]]),
    ...                                         np.array([[0, 1, 0, 1]]), np.array([1.0]), 2)
    >>> channels[0, 3:].tolist(), aux[0, :2].tolist(), round(float(aux[0, 4]), 6)
    ([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0]], [15.1, 14.2], 0.9)
    >>> channels[0, 1:3].round(3).tolist()
    [[-1.0, 0.0, 1.0, 0.0], [0.0, -1.0, 0.0, 1.0]]
    """
    gaps, (mag, code) = _phase_ring(time, period, mag, code)
    mean, std, scaled, member = _band_statistics(mag, code, n_bands)
    return np.concatenate([gaps[:, None], np.where(member, scaled[:, None], 0.0), member], axis=1), \
        _multiband_aux(mean, std, period)


def _phase_ring(time, period, *values):
    """Fold rows of segments into rings: the phase gaps, and ``values`` in phase order.

    The gap of each point is to the previous one in phase, the first one's
    round the ring from the last; gaps are in units of the mean gap (times
    the number of points).
    """
    phase = np.mod((time - time[:, :1]) / period[:, None], 1.0)
    order = np.argsort(phase, axis=1, kind="stable")
    phase = np.take_along_axis(phase, order, axis=1)
    gaps = np.empty_like(phase)
    gaps[:, 0] = phase[:, 0] + 1.0 - phase[:, -1]
    gaps[:, 1:] = np.diff(phase, axis=1)
    gaps *= time.shape[1]
    return gaps, [np.take_along_axis(v, order, axis=1) for v in values]


def fold_segments(time, mag, period):
    """Fold many segments of equal length at once: :func:`fold_segment` on 2-D arrays.

    Parameters
    ----------
    time, mag : ndarray, shape (n_segments, n)
        Times (days, sorted along each row) and magnitudes.
    period : ndarray, shape (n_segments,)
        Period of each segment, days.

    Returns
    -------
    channels : ndarray, shape (n_segments, 2, n)
        As :func:`fold_segment`, one segment per row.
    aux : ndarray, shape (n_segments, 3)
        Mean magnitude, magnitude standard deviation, log10(period / day).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([[0.0, 1.25, 2.5, 3.75], [0.0, 0.1, 0.2, 0.35]])
    >>> m = np.array([[1.0, 2, 3, 2], [5.0, 6, 5, 6]])
    >>> channels, aux = fold_segments(t, m, np.array([1.0, 0.4]))
    >>> channels[0, 0]
    array([1., 1., 1., 1.])
    """
    gaps, (mag,) = _phase_ring(time, period, mag)
    channels = np.empty((time.shape[0], 2, time.shape[1]))
    channels[:, 0] = gaps
    mean = mag.mean(axis=1)
    std = mag.std(axis=1)
    np.subtract(mag, mean[:, None], out=channels[:, 1])
    channels[:, 1] /= np.where(std > 0, std, 1.0)[:, None]
    return channels, np.stack([mean, std, np.log10(period)], axis=1)


def thin_segments(segments, rng, max_fraction):
    """Training augmentation: each segment loses a random fraction of its points.

    Every segment drops a number of points drawn uniformly between 0 and
    ``max_fraction`` of its length (keeping at least 3), as if the survey had
    missed those epochs. Phase gaps are merged exactly (the gap after a dropped
    point joins the next one, round the ring), and the magnitude channel and the
    mean/std auxiliary inputs are recomputed from the points kept. The network
    then sees a different sampling of each star at every epoch, which matters
    when there are few stars or few points per star.

    Parameters
    ----------
    segments : Segments
        Unstandardised segments from :func:`segment_light_curves`.
    rng : numpy.random.Generator
    max_fraction : float
        Largest fraction of points dropped, in [0, 1).

    Returns
    -------
    Segments
        Same order and stars, shorter segments.
    """
    channels, aux = [], segments.aux.copy()
    for i, c in enumerate(segments.channels):
        thinned = _thin_ring(c[0], rng, max_fraction)
        if thinned is None:
            channels.append(c)
            continue
        if c.shape[0] > N_CHANNELS:
            channels.append(_thin_multiband(c, aux[i], *thinned))
            continue
        keep, gaps = thinned
        mag = c[1][keep].astype(np.float64) * segments.aux[i, 1] + segments.aux[i, 0]
        mean, std = mag.mean(), mag.std()
        scaled = (mag - mean) / std if std > 0 else mag - mean
        channels.append(np.stack([gaps, scaled]).astype(np.float32))
        aux[i, 0], aux[i, 1] = mean, std
    return Segments(channels, aux, segments.star, segments.n_stars)


def _thin_ring(gap_channel, rng, max_fraction):
    """The points a thinned segment keeps and its merged phase gaps (units of the new mean gap),
    or None when it keeps them all (see :func:`thin_segments`)."""
    n = gap_channel.size
    k = max(min(n, 3), n - int(rng.integers(0, int(max_fraction * n) + 1)))
    if k == n:
        return None
    keep = np.sort(rng.choice(n, k, replace=False))
    # cum[j] = phase_j + 1 - phase_last, so differences of cum are phase differences.
    cum = np.cumsum(gap_channel.astype(np.float64) / n)[keep]
    gaps = np.empty(k)
    gaps[1:] = np.diff(cum)
    gaps[0] = cum[0] + 1.0 - cum[-1]
    return keep, gaps * k


def _thin_multiband(c, aux, keep, gaps):
    """:func:`thin_segments` for one multi-band segment; ``aux`` (its row) is updated in place."""
    n_bands = (c.shape[0] - 1) // 2
    code = np.argmax(c[1 + n_bands:], axis=0)
    mean, std = aux[:n_bands].astype(np.float64), aux[n_bands:2 * n_bands].astype(np.float64)
    scaled = c[1:1 + n_bands].sum(axis=0, dtype=np.float64)  # each observation is in one band's row
    raw = scaled * np.where(std > 0, std, 1.0)[code] + mean[code]
    new_mean, new_std, scaled, member = _band_statistics(raw[None, keep], code[None, keep], n_bands)
    aux[:-1] = _multiband_aux(new_mean, new_std, np.ones(1))[0, :-1]  # the period (last) is unchanged
    return np.concatenate([gaps[None], np.where(member[0], scaled, 0.0), member[0]]).astype(np.float32)


class Standardizer:
    """Training-set standardisation of the phase-gap channel and the auxiliary inputs.

    Auxiliary inputs that are missing (NaN or infinite) are set to the
    training mean.

    The magnitude channel is already standardised per segment. The phase-gap
    channel is standardised with one mean and scale over all positions, an
    affine map that keeps every cyclic-permutation property of the input.
    """

    def fit(self, segments):
        gaps = np.concatenate([c[0] for c in segments.channels]).astype(np.float64)
        self.gap_mean_ = float(gaps.mean())
        self.gap_scale_ = float(gaps.std()) or 1.0
        aux = segments.aux.astype(np.float64)
        aux[~np.isfinite(aux)] = np.nan
        # nan-aware: per-star features (the hybrid model) can be undefined for some stars
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: handled below
            self.aux_mean_ = np.nan_to_num(np.nanmean(aux, axis=0))
            scale = np.nan_to_num(np.nanstd(aux, axis=0))
        self.aux_scale_ = np.where(scale > 0, scale, 1.0)
        return self

    def transform(self, segments):
        channels = []
        for c in segments.channels:
            c = c.copy()
            c[0] = (c[0] - self.gap_mean_) / self.gap_scale_
            channels.append(c)
        aux = (segments.aux - self.aux_mean_) / self.aux_scale_
        # missing values become the training mean (0 after standardisation)
        aux = np.where(np.isfinite(aux), aux, 0.0).astype(np.float32)
        return Segments(channels, aux, segments.star, segments.n_stars)

    def to_dict(self):
        return {"gap_mean": self.gap_mean_, "gap_scale": self.gap_scale_,
                "aux_mean": [float(v) for v in self.aux_mean_], "aux_scale": [float(v) for v in self.aux_scale_]}

    @classmethod
    def from_dict(cls, state):
        self = cls()
        self.gap_mean_, self.gap_scale_ = float(state["gap_mean"]), float(state["gap_scale"])
        self.aux_mean_ = np.asarray(state["aux_mean"], dtype=np.float64)
        self.aux_scale_ = np.asarray(state["aux_scale"], dtype=np.float64)
        return self


def length_buckets(lengths):
    """Group segment indices by length: ``{length: indices}``, lengths increasing."""
    order = np.argsort(lengths, kind="stable")
    sorted_lengths = lengths[order]
    cuts = np.flatnonzero(np.diff(sorted_lengths)) + 1
    return {int(sorted_lengths[idx[0]]): idx_order for idx, idx_order in
            zip(np.split(np.arange(order.size), cuts), np.split(order, cuts))}

"""What a pretrained network has learnt, as features of light curves for any tabular model.

:class:`PretrainedFeatures` runs a pretrained :class:`~astro_cyclic.CyclicClassifier`
without training it and returns :meth:`~astro_cyclic.CyclicClassifier.embed`:
the network's last feature maps averaged over each star, followed by the
star's mean auxiliary inputs. With a few hundred labelled stars a network
fine-tuned on them forgets much of what pretraining taught it, while a random
forest given these features beside the Richards features keeps it (the
benchmarks page measures both).
"""

import copy

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._threads import thread_limits
from ._base import StarFeatures
from ..lightcurves import _bands_of, as_light_curves
from ..prepare import PreparedStar, prepare_light_curves

__all__ = ["PretrainedFeatures"]


class PretrainedFeatures(StarFeatures):
    """A frozen pretrained network's pooled features of raw light curves, as a scikit-learn transformer.

    Each light curve is cleaned and given its period as everywhere in the
    package (its catalogue period, or one found by ``period_search``), folded
    and cut into the network's segments, and the network's last feature maps
    are averaged over the positions of each segment and over the star's
    segments (:meth:`astro_cyclic.CyclicClassifier.embed`). The network is not
    trained: ``fit`` only loads it and learns the bands of the light curves.
    For the iTCN the features are invariant to each segment's starting phase.

    A single-band network given stars observed in several bands embeds each
    band on its own, with the star's one period: columns
    ``<band>_pretrained_<i>``. A band a star lacks, or has fewer than
    ``min_points`` observations in, gives NaN columns, which scikit-learn's
    tree ensembles accept.

    Parameters
    ----------
    model : str or path-like, default "itcn-sim-asas-eros1"
        A name of :func:`astro_cyclic.pretrained_models`, or the path of a
        file written by :meth:`astro_cyclic.CyclicClassifier.save`. Its
        network must have feature maps (an iTCN, TCN or iResNet).
    period_search : PeriodSearch, optional
        Finds periods of light curves without one (default ``PeriodSearch()``).
    min_points : int, default 10
        Fewest usable points a light curve (or band) needs after cleaning.
    bands : sequence of str, optional
        The bands of multi-band light curves, in column order; an empty
        sequence means single-band light curves. None (the default) takes
        them from the light curves given to ``fit``.
    n_jobs : int, optional
        torch and BLAS threads while the network runs (in this process);
        ``None`` is one. Inside a
        :class:`~astro_cyclic.RichardsForestClassifier`, the forest's
        ``n_jobs`` and ``min_points`` replace these.

    Attributes
    ----------
    network_ : CyclicClassifier
        The loaded pretrained classifier (never refitted).
    bands_ : tuple of str
        The bands embedded one by one; empty when the network takes the light
        curves as they are.
    feature_names_out_ : ndarray of str
        Names of the output columns: ``pretrained_<i>`` (per band,
        ``<band>_pretrained_<i>``).
    n_features_out_ : int
        Number of output columns.

    See Also
    --------
    astro_cyclic.RichardsForestClassifier : its ``extra_features`` takes this transformer.

    Examples
    --------
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> from astro_cyclic.features import PretrainedFeatures
    >>> data = make_periodic_variables(4, classes=["RRab", "EA"], random_state=0)
    >>> features = PretrainedFeatures().fit(data.light_curves)
    >>> features.transform(data.light_curves).shape == (4, features.n_features_out_)
    True
    >>> features.get_feature_names_out()[:2]
    array(['pretrained_0', 'pretrained_1'], dtype=object)
    """

    def __init__(self, model="itcn-sim-asas-eros1", *, period_search=None, min_points=10, bands=None,
                 n_jobs=None):
        self.model = model
        self.period_search = period_search
        self.min_points = min_points
        self.bands = bands
        self.n_jobs = n_jobs

    def fit(self, X=None, y=None):
        """Load the pretrained network and learn the bands of light curves ``X``.

        Parameters
        ----------
        X : list of light curves, optional
            Any form accepted by :func:`astro_cyclic.as_light_curve`; only
            their bands are read. None: single-band, unless ``bands`` is set.
        y : ignored

        Returns
        -------
        self

        Raises
        ------
        ValueError
            When ``model`` is neither a shipped name nor a model file, or its
            network has no feature maps.
        """
        from ..pretrained import load_pretrained

        self._check_params()
        network = load_pretrained(self.model)
        if not hasattr(network.module_, "feature_maps"):
            raise ValueError(f"PretrainedFeatures needs a network with feature maps (itcn, tcn, iresnet); "
                             f"{self.model!r} is a {network.module_.hparams['name']!r}")
        self._set_network(network)
        if self.bands is not None:
            bands = tuple(str(b) for b in self.bands)
        else:
            bands = () if X is None else _bands_of(as_light_curves(X))
        self._set_bands(bands)
        return self

    def _set_network(self, network):
        # Periods and cleaning are this transformer's; the network's shape stays its own.
        self.network_ = network.set_params(period_search=self.period_search, min_points=self.min_points)

    def _set_bands(self, bands):
        network_bands = self.network_.bands_
        # A network trained on several bands takes the stars whole; a single-band one, band by band.
        self.bands_ = () if network_bands else bands
        with thread_limits(self.n_jobs):
            width = _embed_width(self.network_)
        names = [f"pretrained_{i}" for i in range(width)]
        if self.bands_:
            names = [f"{band}_{name}" for band in self.bands_ for name in names]
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(names)

    def transform(self, X):
        """The pooled features of each light curve.

        Parameters
        ----------
        X : list of light curves
            Any form accepted by :func:`astro_cyclic.prepare_light_curves`;
            prepared stars are not cleaned again, nor their periods searched.

        Returns
        -------
        ndarray, shape (n_stars, ``n_features_out_``)
        """
        check_is_fitted(self)
        stars = prepare_light_curves(X, period_search=self.period_search, min_points=self.min_points)
        # The threads are read now, not at fit: set_params(n_jobs=...) on a fitted transformer (or a forest's
        # n_jobs) holds. A shallow copy shares the network's weights and leaves the fitted one unchanged.
        network = copy.copy(self.network_).set_params(n_jobs=self.n_jobs, min_points=self.min_points)
        if not self.bands_:
            return network.embed(stars) if stars else np.empty((0, self.n_features_out_))
        width = self.n_features_out_ // len(self.bands_)
        out = np.full((len(stars), len(self.bands_), width), np.nan)
        for star in stars:
            self._check_bands(star.light_curve, self.bands_)
        for k, band in enumerate(self.bands_):
            rows, single = [], []
            for i, star in enumerate(stars):
                if np.count_nonzero(star.light_curve.band == band) >= self.min_points:
                    rows.append(i)
                    single.append(PreparedStar(star.light_curve.select_band(band), star.period_source,
                                               star.min_points))
            if rows:
                out[rows, k] = network.embed(single)
        return out.reshape(len(stars), self.n_features_out_)


def _embed_width(network):
    """Columns of ``network.embed``: the channels of its last feature maps, then its auxiliary inputs."""
    import torch

    hparams = network.module_.hparams
    with torch.no_grad():
        maps = network.module_.feature_maps(torch.zeros(1, hparams["n_channels"], network.segment_length))
    return maps.shape[1] + hparams["n_aux"]

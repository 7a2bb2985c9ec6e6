"""`CyclicClassifier`: raw light curves in, per-star class probabilities out."""

import itertools
import numbers
import warnings

import numpy as np
import torch
from astropy.table import Table
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import check_is_fitted

from ._classifier import LightCurveClassifierMixin
from ._persistence import jsonable, params_from_json, params_to_json, read_model_file, write_model_file
from ._threads import resolve_n_jobs, thread_limits
from ._validation import check_fraction, check_number, validate_option
from .nn._training import (combine_segments, plain_weights, resolve_device, segment_features, segment_log_proba,
                           star_means, train_network, validate_lr_schedule)
from .lightcurves import StarLightCurve, _bands_of, _collection_items, _position_id, as_light_curve
from .features.richards import RichardsFeatures
from .model_selection import ValidationStars
from .nn import build_network, validate_architecture
from .nn.registry import NETWORK_PARAMS, check_network_params
from .period import PeriodSearch
from .prepare import PreparedStar, periods_of, prepare_light_curves
from .preprocess import Segments, Standardizer, magnitude_columns, n_channels, segment_light_curves, thin_segments
from .nn._ddp import resolve_distributed, validate_distributed

__all__ = ["CyclicClassifier"]

_FILE_FORMAT = "astro_cyclic.CyclicClassifier"
#: Per-star features that can join the auxiliary inputs (the hybrid model).
STAR_FEATURES = (None, "richards")
#: What fit trains when it starts from a pretrained network.
FINE_TUNE = ("all", "head")
#: The parameters that shape a network's inputs and layers: a pretrained network only fits a
#: classifier that has the same (bands and network hyper-parameters are checked too).
_SHAPING_PARAMS = ("architecture", "segment_length", "apparent_magnitude", "star_features")
#: How the estimator spells a network hyper-parameter (as skorch does): module__hidden=16.
_MODULE_PREFIX = "module__"
#: Stars per chunk of the prediction methods: enough segments for large network batches,
#: few enough that a chunk's light curves and segments take a few MB.
PREDICT_CHUNK_SIZE = 2048


class CyclicClassifier(LightCurveClassifierMixin, BaseEstimator):
    """Classify periodic variable stars from raw light curves with a cyclic-permutation invariant network.

    Each light curve is prepared (:func:`~astro_cyclic.prepare_light_curves`:
    cleaned and given its period, the catalogue period it carries or one found
    by ``period_search``), folded on its period, cut into segments of
    ``segment_length`` points in time order and classified by a 1-D network;
    a star's segment log-probabilities are averaged into one prediction.

    Parameters
    ----------
    architecture : str, default "itcn"
        One of ``astro_cyclic.nn.ARCHITECTURES``: ``"itcn"`` and ``"iresnet"``
        (exactly invariant to the starting phase), and the baselines ``"tcn"``,
        ``"resnet"``, ``"gru"``, ``"lstm"``.
    segment_length : int, default 200
        Points per segment, L. Stars with fewer points form one shorter segment.
    **module_params : ``module__<name>=value``
        The network's hyper-parameters, spelt as in skorch: ``module__hidden``,
        ``module__depth``, ``module__kernel_size``, ``module__dropout``,
        ``module__max_hidden``, ``module__pooling``. Each architecture
        declares its own in its class (:func:`astro_cyclic.nn.network_params`
        lists them; :func:`astro_cyclic.nn.build_network` gives the defaults).
        One left unset, or None, is the architecture's default; one the
        architecture does not use is an error at ``fit``. They are parameters
        like the others: ``get_params``, ``set_params``, ``clone`` and
        ``GridSearchCV(param_grid={"module__hidden": [16, 24]})`` see them.
    period_search : PeriodSearch, optional
        How periods are found for light curves that carry none (default
        ``PeriodSearch()``).
    min_points : int, default 10
        Fewest usable points a light curve needs after cleaning.
    apparent_magnitude : bool, default False
        Give the network each segment's mean magnitude (one per band) as an
        auxiliary input. Off, the classifier is exactly invariant to a constant
        magnitude offset: a zero point (a lightkurve flux converted with zero
        point 0, a normalised light curve) changes no probability, while the
        magnitude scale of every band, the colours between bands and the period
        still enter. Turn it on only when every star is on one photometric
        system and its brightness carries information (a single survey of one
        field, where apparent magnitude stands for distance or population);
        the user guide's Inputs page says what it is worth on EROS-1.
    star_features : {None, "richards"} or RichardsFeatures, default None
        ``"richards"`` makes the hybrid model: the star's Richards et al. (2011)
        features (:func:`astro_cyclic.features.richards_features`, computed
        with the period the network folds on) join every segment's auxiliary
        inputs, standardised on the training stars (missing values become the
        training mean). Useful when training sets are small. A
        :class:`~astro_cyclic.features.RichardsFeatures` instance does the same
        with its settings, e.g. its ``memory`` cache of the features.
    thin_fraction : float, default 0.0
        Training augmentation: at every epoch each training segment loses a
        random fraction, up to this, of its points (see
        :func:`astro_cyclic.preprocess.thin_segments`). 0 turns it off.
    max_epochs : int, default 40
        Training epochs (fewer when validation stops early); with the cosine
        schedule, the rate reaches 0 at the last one.
    batch_size : int, default 64
        Segments per training batch.
    learning_rate : float, default 0.005
        Initial Adam learning rate (Zhang & Bloom 2020).
    lr_schedule : {"cosine", "plateau"}, default "cosine"
        ``"cosine"`` anneals the rate to 0 over ``max_epochs``; ``"plateau"`` is
        the paper's schedule (divide by 10 when the training loss has not fallen
        by 10% in 5 epochs). Chosen on EROS-1 validation stars (split 0 of
        :func:`astro_cyclic.model_selection.stratified_star_splits`, 40 epochs):
        per-star validation accuracy 88.7% with ``"plateau"``, which had cut
        the rate below 1e-4 by epoch 20 and stopped at epoch 30, against 93.7%
        with ``"cosine"``.
    train_split : float, None or callable, default 0.2
        The training STARS held out (never some of a star's segments) to choose
        the best epoch and stop early. A fraction: that share of the stars,
        stratified by class and drawn with ``random_state``. ``None`` (or 0):
        no validation; training runs ``max_epochs`` and keeps the last epoch. A
        callable ``train_split(y) -> (train_indices, validation_indices)`` of
        positions in ``X``, e.g.
        :class:`~astro_cyclic.model_selection.ValidationStars` for chosen
        stars (as skorch's ``train_split``).
    n_iter_no_change : int, default 20
        Epochs without a better validation accuracy before stopping.
    class_weight : dict, "balanced" or None
        Weights of the classes in the loss.
    device : str, default "auto"
        ``"auto"`` (CUDA when available), ``"cpu"`` or ``"cuda"``.
    random_state : int, optional
        Seeds the split, the initial weights, dropout and batch order; on the
        CPU the same seed gives the same predictions.
    n_jobs : int, optional
        CPU threads for torch and the BLAS/OpenMP libraries during ``fit`` and
        prediction, restored afterwards. ``None`` is one thread (scikit-learn's
        convention), ``-1`` every core. One thread is the default because
        torch's own default, a thread per core, collapses on a machine that
        other jobs keep busy (see the user guide's training page); more threads
        speed up large networks on an otherwise idle machine.
    verbose : int, default 0
        Show a progress bar during training when > 0.
    distributed : {False, True, "auto"}, default False
        Train as one of several processes started by ``torchrun`` (or any
        initialised ``torch.distributed`` process group), with
        `~torch.nn.parallel.DistributedDataParallel`: gloo on CPUs, NCCL on
        GPUs (each process takes GPU ``LOCAL_RANK``). Every process must call
        ``fit`` with the same data; each computes the loss of its share of
        every batch of ``batch_size`` segments (the batch stays global), so
        the steps are those of one process (up to float32 rounding), and the
        fitted model is the same on every process. ``"auto"`` trains in
        parallel when there is more than one process, else alone. See
        :mod:`astro_cyclic.scale` and ``astro-cyclic fit --distributed``.
    pretrained : str or path-like, optional
        Start ``fit`` from a pretrained network instead of random weights: the
        name of a model shipped with the package
        (:func:`astro_cyclic.pretrained_models`) or the path of a model file
        written by :meth:`save`. The network and its input scaling are taken
        from it; when the classes differ (names or order) from the model's, its
        last layer is replaced by a new one for ``y``'s classes. The
        classifier's architecture, ``segment_length``, ``apparent_magnitude``,
        ``star_features``, ``module__*`` parameters and bands must be those of
        the model (:meth:`from_pretrained` sets them); training then runs as
        usual (``train_split`` validation and early stopping, the learning-rate
        schedule from ``learning_rate``: a smaller rate than from scratch often
        suits fine-tuning).
    fine_tune : {"all", "head"}, default "all"
        With ``pretrained``: train every layer, or only the head (the layers
        from the pooled features to the logits), keeping the feature extractor
        learnt in pretraining.

    Attributes
    ----------
    classes_ : ndarray
        The class labels, as given in ``y``.
    module_ : torch.nn.Module
        The trained network.
    standardizer_ : Standardizer
        Training-set scaling of the phase gaps and auxiliary inputs.
    periods_ : ndarray
        Period (days) of each training star. Prediction leaves the estimator
        unchanged; the periods it folds on are those of
        :func:`~astro_cyclic.prepare_light_curves`, whose prepared stars the
        prediction methods accept as they are.
    bands_ : tuple of str
        The bands of multi-band training stars, in input-channel order; empty
        for single-band ones. A multi-band model takes stars observed in any
        of these bands (a star missing one is classified from the others); a
        single-band model refuses multi-band stars rather than mix bands.
    history_ : list of dict
        Training loss, learning rate and validation metrics per epoch.
    best_epoch_ : int
        Epoch whose weights were kept.
    network_params_ : dict
        The hyper-parameters set for the network (without ``module__``);
        the architecture's defaults fill the rest.
    device_ : torch.device

    References
    ----------
    .. [1] Zhang, K. & Bloom, J. S. 2020, "Classification of periodic variable stars
       with novel cyclic-permutation invariant neural networks", arXiv:2011.01243.

    Examples
    --------
    >>> from astro_cyclic import CyclicClassifier
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> data = make_periodic_variables(60, classes=["RRab", "EA"], random_state=0)
    >>> clf = CyclicClassifier(module__hidden=8, max_epochs=3, random_state=0)
    >>> clf.fit(data.light_curves, data.target).classes_
    array(['EA', 'RRab'], dtype='<U4')
    >>> clf.predict_proba(data.light_curves[:2]).shape
    (2, 2)
    """

    def __init__(self, architecture="itcn", *, segment_length=200, period_search=None, min_points=10,
                 apparent_magnitude=False, star_features=None, thin_fraction=0.0, max_epochs=40, batch_size=64,
                 learning_rate=0.005, lr_schedule="cosine", train_split=0.2, n_iter_no_change=20,
                 class_weight=None, device="auto", random_state=None, n_jobs=None, verbose=0, distributed=False,
                 pretrained=None, fine_tune="all", **module_params):
        self.architecture = architecture
        self.segment_length = segment_length
        self.period_search = period_search
        self.min_points = min_points
        self.apparent_magnitude = apparent_magnitude
        self.star_features = star_features
        self.thin_fraction = thin_fraction
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.lr_schedule = lr_schedule
        self.train_split = train_split
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.device = device
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.distributed = distributed
        self.pretrained = pretrained
        self.fine_tune = fine_tune
        for name, value in module_params.items():
            if not name.startswith(_MODULE_PREFIX):
                raise TypeError(f"CyclicClassifier got an unexpected keyword argument {name!r}; network "
                                f"hyper-parameters are spelt module__<name>, e.g. module__hidden=16")
            setattr(self, name, value)

    # ------------------------------------------------------------ parameters
    def _module_params(self):
        """The ``module__*`` parameters, by attribute name, in a stable order."""
        return {name: value for name, value in sorted(vars(self).items()) if name.startswith(_MODULE_PREFIX)}

    def get_params(self, deep=True):
        """Parameters of this estimator, the ``module__*`` network hyper-parameters among them.

        Parameters
        ----------
        deep : bool, default True
            Also the parameters of contained estimators (``period_search``).

        Returns
        -------
        dict
        """
        return super().get_params(deep=deep) | self._module_params()

    def set_params(self, **params):
        """Set parameters; ``module__<name>`` sets (or adds) a network hyper-parameter.

        Returns
        -------
        self
        """
        module = {name: params.pop(name) for name in list(params) if name.startswith(_MODULE_PREFIX)}
        for name, value in module.items():
            setattr(self, name, value)
        return super().set_params(**params) if params else self

    # ------------------------------------------------------------------ data
    def _prepare(self, X):
        """Prepared stars (cleaned, with their periods) of light curves ``X``."""
        return prepare_light_curves(X, period_search=self.period_search, min_points=self.min_points)

    def _input_segments(self, X):
        """The standardised segments of light curves ``X``, as the fitted network takes them."""
        return self.standardizer_.transform(self._network_aux(self._fold(self._prepare(X))))

    def _network_aux(self, segments):
        """``segments`` with the auxiliary inputs the network takes: without the mean magnitudes unless
        ``apparent_magnitude`` (they are kept until here because thinning rebuilds magnitudes from them)."""
        if self.apparent_magnitude:
            return segments
        keep = np.setdiff1d(np.arange(segments.aux.shape[1]), magnitude_columns(self.bands_))
        return Segments(segments.channels, segments.aux[:, keep], segments.star, segments.n_stars)

    def _fold(self, stars):
        """Segments (unstandardised) of prepared stars."""
        light_curves = [star.light_curve for star in stars]
        if not self.bands_:
            banded = next((lc for lc in light_curves if lc.band is not None), None)
            if banded is not None:
                raise ValueError(f"{banded.label} has bands {', '.join(banded.bands)}, but this model was trained "
                                 "on single-band light curves; give it one band (StarLightCurve.select_band)")
        segments = segment_light_curves(light_curves, periods_of(stars), self.segment_length,
                                        bands=list(self.bands_) or None)
        if self.star_features is not None:
            transformer = self.star_features
            if isinstance(transformer, str):
                transformer = RichardsFeatures(self.period_search, min_points=self.min_points)
            # The features take the model's bands (fitting learns nothing else); the stars are prepared already.
            features = clone(transformer).set_params(bands=self.bands_).fit([]).transform(stars)
            segments.aux = np.hstack([segments.aux, features[segments.star].astype(np.float32)])
        return segments

    def _check_params(self):
        for name in ("segment_length", "max_epochs", "batch_size", "n_iter_no_change"):
            check_number(getattr(self, name), name, min_val=1)
        check_number(self.min_points, "min_points", min_val=3)
        validate_option(self.apparent_magnitude, (False, True), "apparent_magnitude")
        if not isinstance(self.star_features, RichardsFeatures):
            validate_option(self.star_features, STAR_FEATURES, "star_features (or a RichardsFeatures)")
        check_fraction(self.thin_fraction, "thin_fraction")
        if self.train_split is not None and not callable(self.train_split):
            check_fraction(self.train_split, "train_split (a fraction, None or a callable)")
        check_number(self.learning_rate, "learning_rate", numbers.Real, min_val=0, include_boundaries="neither")
        validate_lr_schedule(self.lr_schedule)
        validate_distributed(self.distributed)
        resolve_n_jobs(self.n_jobs)
        validate_option(self.fine_tune, FINE_TUNE, "fine_tune")
        if self.fine_tune == "head" and self.pretrained is None:
            raise ValueError("fine_tune='head' trains the head of a pretrained network: give pretrained= (a name "
                             "of astro_cyclic.pretrained_models() or a model file)")

    def _split(self, y_idx, rng_seed):
        """Training and validation STARS (positions in X; never segments): ``train_split``'s choice."""
        stars = np.arange(y_idx.size)
        if callable(self.train_split):
            train, val = (np.asarray(part, dtype=int) for part in self.train_split(self.classes_[y_idx]))
            both = np.concatenate([train, val])
            if np.intersect1d(train, val).size or np.any((both < 0) | (both >= y_idx.size)) or not train.size:
                raise ValueError("train_split must return disjoint, non-empty training and (possibly empty) "
                                 f"validation positions among the {y_idx.size} stars given to fit")
            return train, (val if val.size else None)
        if not self.train_split:
            return stars, None
        try:
            return train_test_split(stars, test_size=self.train_split, stratify=y_idx, random_state=rng_seed)
        except ValueError as exc:  # a class too small to appear on both sides
            warnings.warn(f"validation split cannot be stratified ({exc}); splitting at random", stacklevel=3)
            return train_test_split(stars, test_size=self.train_split, random_state=rng_seed)

    # ------------------------------------------------------------------- fit
    def fit(self, X, y):
        """Train on light curves ``X`` with labels ``y``.

        Parameters
        ----------
        X : list of light curves
            Any form accepted by :func:`astro_cyclic.as_light_curve`, of any lengths.
        y : array-like, shape (n_stars,)
            Class labels (strings or integers).

        Returns
        -------
        self
        """
        self._check_params()
        architecture = validate_architecture(self.architecture)
        # Before any data work: a hyper-parameter the network would ignore is refused at once.
        self.network_params_ = check_network_params(
            architecture, {name[len(_MODULE_PREFIX):]: v for name, v in self._module_params().items()},
            prefix=_MODULE_PREFIX)
        source = None if self.pretrained is None else self._pretrained_source()
        light_curves = _collection_items(X)
        y_idx = self._encode_labels(len(light_curves), y)
        with thread_limits(self.n_jobs):
            return self._fit(light_curves, y_idx, architecture, source)

    def _pretrained_source(self):
        """The classifier named by ``pretrained``, checked to have this one's network shape."""
        from .pretrained import load_pretrained

        source = load_pretrained(self.pretrained)
        mine = {name: getattr(self, name) for name in _SHAPING_PARAMS}
        theirs = {name: getattr(source, name) for name in _SHAPING_PARAMS}
        for params in (mine, theirs):  # the settings of a RichardsFeatures change no input
            params["star_features"] = None if params["star_features"] is None else "richards"
        mine |= {_MODULE_PREFIX + k: v for k, v in self.network_params_.items()}
        theirs |= {_MODULE_PREFIX + k: v for k, v in source.network_params_.items()}
        differ = sorted(name for name in mine.keys() | theirs.keys() if mine.get(name) != theirs.get(name))
        if differ:
            raise ValueError(
                f"the pretrained model {str(self.pretrained)!r} has "
                + ", ".join(f"{name}={theirs.get(name)!r}" for name in differ) + "; this classifier has "
                + ", ".join(f"{name}={mine.get(name)!r}" for name in differ)
                + ": set them as the model has (CyclicClassifier.from_pretrained does)")
        return source

    def _fit(self, light_curves, y_idx, architecture, source=None):
        self.device_ = resolve_device(self.device)
        data_parallel = resolve_distributed(self.distributed, self.device_)
        seed = _seed(self.random_state)
        if data_parallel is not None:
            self.device_ = data_parallel.device  # cuda:LOCAL_RANK on GPUs
            # random_state=None draws a different seed in each process; all must split and batch alike.
            seed = data_parallel.broadcast(seed)
        rng = np.random.default_rng(seed)

        stars = self._prepare(light_curves)
        self.periods_ = periods_of(stars)
        self.bands_ = _bands_of([star.light_curve for star in stars])
        if source is not None and self.bands_ != source.bands_:
            raise ValueError(f"the pretrained model {str(self.pretrained)!r} takes "
                             + (f"bands {', '.join(source.bands_)}" if source.bands_ else "single-band light curves")
                             + ", but the light curves given to fit are "
                             + (f"in bands {', '.join(self.bands_)}" if self.bands_ else "single-band"))
        segments = self._fold(stars)
        train_stars, val_stars = self._split(y_idx, seed)
        in_train = np.isin(segments.star, train_stars)
        raw_train = segments.subset(in_train, train_stars)  # thinning rebuilds magnitudes from its full aux
        train = self._network_aux(raw_train)
        # A pretrained network learnt on inputs scaled its way: they keep that scaling.
        self.standardizer_ = Standardizer().fit(train) if source is None else source.standardizer_
        augment = None
        if self.thin_fraction:
            augment = lambda rng: self.standardizer_.transform(  # noqa: E731
                self._network_aux(thin_segments(raw_train, rng, self.thin_fraction)))
        train = self.standardizer_.transform(train)
        val = None
        if val_stars is not None:
            val = self.standardizer_.transform(self._network_aux(segments.subset(~in_train, val_stars)))

        y_train = y_idx[train_stars][train.star]
        class_weight = None
        if self.class_weight is not None:
            present = np.unique(y_train)
            weights = compute_class_weight(self.class_weight, classes=self.classes_[present],
                                           y=self.classes_[y_train])
            class_weight = np.ones(self.classes_.size)
            class_weight[present] = weights

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.module_ = self._build_module(architecture)
            if source is not None:
                self._start_from(source)
            if data_parallel is not None and data_parallel.rank:
                # Same initial weights everywhere, but each process's dropout masks its own share of the batch.
                torch.manual_seed(seed + data_parallel.rank)
            self.history_, self.best_epoch_ = train_network(
                self.module_, train, y_train, val, None if val is None else y_idx[val_stars],
                augment=augment, class_weight=class_weight, max_epochs=self.max_epochs, batch_size=self.batch_size,
                learning_rate=self.learning_rate, lr_schedule=self.lr_schedule,
                n_iter_no_change=self.n_iter_no_change,
                device=self.device_, rng=rng, verbose=self.verbose, data_parallel=data_parallel)
        self.module_.requires_grad_(True)
        return self

    def _start_from(self, source):
        """Copy the pretrained network's weights; a new last layer unless the classes are the model's, in
        its order; with ``fine_tune="head"`` only the head stays trainable."""
        state = source.module_.state_dict()
        same_classes = self.classes_.tolist() == source.classes_.tolist()
        output = self.module_.head_layers[-1] + "."
        if not same_classes:  # the freshly initialised last layer (seeded with random_state) stays
            state = {name: value for name, value in state.items() if not name.startswith(output)}
        missing, unexpected = self.module_.load_state_dict(state, strict=False)
        if unexpected or any(not name.startswith(output) for name in missing):
            raise ValueError(f"the pretrained model {str(self.pretrained)!r} does not fit this network "
                             f"(missing {sorted(missing)}, unexpected {sorted(unexpected)})")
        if self.fine_tune == "head":
            head = tuple(layer + "." for layer in self.module_.head_layers)
            for name, parameter in self.module_.named_parameters():
                parameter.requires_grad_(name.startswith(head))

    def _build_module(self, architecture):
        # The standardizer has seen the auxiliary inputs (per-band statistics, star features): their number.
        return build_network(architecture, n_classes=self.classes_.size, n_channels=n_channels(self.bands_),
                             n_aux=self.standardizer_.aux_mean_.size,
                             segment_length=self.segment_length, **self.network_params_)

    # --------------------------------------------------------------- predict
    def predict_segments(self, X):
        """Log-probabilities of every segment of every star.

        Returns
        -------
        log_proba : ndarray, shape (n_segments, n_classes)
        star : ndarray of int, shape (n_segments,)
            Index into ``X`` of each segment's star.
        """
        check_is_fitted(self)
        with thread_limits(self.n_jobs):
            segments = self._input_segments(X)
            return self._network_log_proba(segments), segments.star

    def embed(self, X):
        """Per-star features the fitted network has learnt: its last feature maps pooled over each star.

        The feature maps of the network's last block are averaged over the
        positions of each segment and then over the star's segments; the
        segments' mean (standardised) auxiliary inputs follow. Nothing is
        trained: these are the inputs a pretrained network offers another
        model, for example a random forest beside the Richards features (see
        the benchmarks page, "ASAS with a pretrained network").

        Parameters
        ----------
        X : list of light curves
            Any form accepted by :func:`astro_cyclic.as_light_curve`.

        Returns
        -------
        ndarray, shape (n_stars, hidden + n_aux)
            For the iTCN and the iResNet, invariant to each segment's starting phase.

        Raises
        ------
        ValueError
            For an architecture without feature maps (the ResNet, GRU and LSTM baselines).

        Examples
        --------
        >>> from astro_cyclic import CyclicClassifier
        >>> from astro_cyclic.datasets import make_periodic_variables
        >>> data = make_periodic_variables(20, classes=["RRab", "EA"], random_state=0)
        >>> clf = CyclicClassifier(segment_length=50, max_epochs=1, module__hidden=8, random_state=0)
        >>> clf.fit(data.light_curves, data.target).embed(data.light_curves[:3]).shape
        (3, 10)
        """
        check_is_fitted(self)
        if not hasattr(self.module_, "feature_maps"):
            raise ValueError(f"embed needs a network with feature maps (itcn, tcn, iresnet); this model's is "
                             f"{self.module_.hparams['name']!r}")
        with thread_limits(self.n_jobs):
            segments = self._input_segments(X)
            pooled = np.hstack([segment_features(plain_weights(self.module_), segments, device=self.device_,
                                                 batch_size=_inference_batch_size(self.device_)),
                                segments.aux.astype(np.float64)])
        return star_means(pooled, segments.star, segments.n_stars)

    def _network_log_proba(self, segments):
        """Segment log-probabilities from the network, in large batches of equal-length segments."""
        if not len(segments):
            return np.empty((0, self.classes_.size))
        # Weight normalisation folded into plain weights, computed once, not once per batch; nothing
        # process-wide is switched, so another thread may train meanwhile.
        return segment_log_proba(plain_weights(self.module_), segments, device=self.device_,
                                 batch_size=_inference_batch_size(self.device_))

    def _iter_chunk_log_proba(self, X, chunk_size):
        """Per-star log-probabilities, one chunk of ``chunk_size`` stars at a time.

        The thread limits hold while a chunk is computed, not while the caller holds the generator.
        """
        for light_curves in _chunks(X, chunk_size):
            with thread_limits(self.n_jobs):
                segments = self._input_segments(light_curves)
                log_proba = self._network_log_proba(segments)
            yield combine_segments(log_proba, segments.star, len(light_curves))

    def iter_predict_log_proba(self, X, *, chunk_size=PREDICT_CHUNK_SIZE):
        """Per-star class log-probabilities, yielded chunk by chunk (streaming).

        Only one chunk of light curves and its segments are in memory at a
        time, so the memory used does not grow with the number of stars when
        ``X`` is a generator (e.g. reading files one by one).

        Parameters
        ----------
        X : iterable of light curves
            Any iterable (list, generator, ...) of the forms accepted by
            :func:`astro_cyclic.as_light_curve`.
        chunk_size : int, default 2048
            Stars per chunk: enough to fill large network batches.

        Yields
        ------
        ndarray, shape (n_chunk_stars, n_classes)
            Rows in the order of ``X``; every chunk but the last has ``chunk_size`` rows.
        """
        check_is_fitted(self)
        chunk_size = check_number(chunk_size, "chunk_size", min_val=1)
        yield from self._iter_chunk_log_proba(X, chunk_size)

    def iter_predict_proba(self, X, *, chunk_size=PREDICT_CHUNK_SIZE):
        """Per-star class probabilities, yielded chunk by chunk (streaming).

        See :meth:`iter_predict_log_proba` for the parameters.

        Yields
        ------
        ndarray, shape (n_chunk_stars, n_classes)
            Columns follow ``classes_``.

        Examples
        --------
        >>> from astro_cyclic import CyclicClassifier
        >>> from astro_cyclic.datasets import make_periodic_variables
        >>> data = make_periodic_variables(40, classes=["RRab", "EA"], random_state=0)
        >>> clf = CyclicClassifier(module__hidden=8, max_epochs=2, random_state=0).fit(data.light_curves, data.target)
        >>> stars = (lc for lc in data.light_curves)  # a generator: never all in memory
        >>> [chunk.shape for chunk in clf.iter_predict_proba(stars, chunk_size=16)]
        [(16, 2), (16, 2), (8, 2)]
        """
        for log_proba in self.iter_predict_log_proba(X, chunk_size=chunk_size):
            yield np.exp(log_proba)

    def predict_log_proba(self, X):
        """Per-star class log-probabilities, shape (n_stars, n_classes).

        ``X`` may be any iterable of light curves, a generator included; it is
        processed in chunks of :data:`PREDICT_CHUNK_SIZE` stars (see
        :meth:`iter_predict_log_proba`).
        """
        check_is_fitted(self)
        parts = list(self._iter_chunk_log_proba(X, PREDICT_CHUNK_SIZE))
        return np.concatenate(parts) if parts else np.empty((0, self.classes_.size))

    def predict_proba(self, X):
        """Per-star class probabilities, shape (n_stars, n_classes); columns follow ``classes_``."""
        return np.exp(self.predict_log_proba(X))

    # ----------------------------------------------------------- persistence
    def __getstate__(self):
        # Weight-normalised torch modules cannot be pickled whole, only through their
        # state_dict; the network is rebuilt from the fitted hyper-parameters on unpickling.
        state = self.__dict__.copy()
        module = state.pop("module_", None)
        if module is not None:
            state["_module_state"] = {k: v.detach().cpu() for k, v in module.state_dict().items()}
        return state

    def __setstate__(self, state):
        module_state = state.pop("_module_state", None)
        self.__dict__.update(state)
        if module_state is not None:
            self.module_ = self._build_module(validate_architecture(self.architecture))
            self.module_.load_state_dict(module_state)
            self.module_.to(self.device_).eval()

    def save(self, path, *, overwrite=False):
        """Write the fitted classifier to ``path``.

        The file holds only tensors, strings and numbers (weights, parameters
        and preprocessing statistics as JSON, versions) and a SHA-256 digest of
        them; it is read back with ``torch.load(weights_only=True)``, so loading
        cannot run code, and a file altered after it was written is refused
        (``astro_cyclic/_persistence.py``). It is written under a temporary
        name and renamed into place once complete. A ``train_split`` callable
        other than :class:`~astro_cyclic.model_selection.ValidationStars`
        served training only and is loaded as ``None``.

        Parameters
        ----------
        path : str or path-like
        overwrite : bool
            Replace an existing file; without it an existing file is an error.

        Raises
        ------
        FileExistsError
        OSError
            Naming the file, when it cannot be written; an existing file is kept.
        """
        config, tensors = self._to_config()
        write_model_file(path, format=_FILE_FORMAT, config=config, tensors=tensors, overwrite=overwrite)

    def _to_config(self):
        """What :meth:`save` writes: the JSON configuration and the network's weights (for :meth:`_from_config`)."""
        check_is_fitted(self)
        params = params_to_json(self.get_params(deep=False))
        if isinstance(params["star_features"], RichardsFeatures):
            # Its cache folder (memory) belongs to this machine and changes no result: not saved.
            search = params["star_features"].period_search
            params["star_features"] = {"richards": {
                "period_search": None if search is None else search.get_params(),
                "min_points": params["star_features"].min_points}}
        if isinstance(params["train_split"], ValidationStars):
            params["train_split"] = {"validation_stars": np.asarray(params["train_split"].indices).tolist()}
        elif callable(params["train_split"]):
            # Another callable served training only and cannot be written as JSON: the file says so.
            params["train_split"] = {"callable": repr(params["train_split"])}
        config = {"params": params, "classes": jsonable(self.classes_.tolist()),
                  "classes_dtype": self.classes_.dtype.str, "standardizer": self.standardizer_.to_dict(),
                  "bands": list(self.bands_),
                  "network_params": self.network_params_, "history": self.history_, "best_epoch": self.best_epoch_}
        return config, self.module_.state_dict()

    @classmethod
    def from_pretrained(cls, name, **params):
        """A fitted classifier from a pretrained model, ready to predict its classes or to fine-tune.

        Parameters
        ----------
        name : str or path-like
            A name of :func:`astro_cyclic.pretrained_models`, or the path of a
            model file written by :meth:`save`.
        **params
            Parameters to set, e.g. ``max_epochs=20, learning_rate=0.001`` for
            fine-tuning, ``fine_tune="head"``, or ``device``.

        Returns
        -------
        CyclicClassifier
            Fitted: it predicts the model's classes at once. Its architecture,
            ``segment_length``, ``apparent_magnitude``, ``star_features`` and
            ``module__*`` parameters are the model's; the others are the
            defaults (not the settings of pretraining) unless given in
            ``params``. Its ``pretrained`` parameter is ``name``, so ``fit(X, y)`` fine-tunes the model's
            network on your labels (a new last layer when your classes
            differ) rather than training from scratch; ``clone`` keeps that.

        Raises
        ------
        ValueError
            For an unknown name (the shipped models are listed) or a file that
            is not a model.

        Examples
        --------
        >>> from astro_cyclic import CyclicClassifier, pretrained_models
        >>> clf = CyclicClassifier.from_pretrained(pretrained_models()[0], max_epochs=10)
        >>> clf.pretrained == pretrained_models()[0], clf.fine_tune
        (True, 'all')
        """
        from .pretrained import load_pretrained

        model = load_pretrained(name, device=params.pop("device", "cpu"))
        # The network's shape comes from the model; how to train (epochs, validation share, seed, threads,
        # ...) starts from this class's defaults, not from the settings the model was pretrained with.
        defaults = {key: value for key, value in cls().get_params(deep=False).items()
                    if key not in _SHAPING_PARAMS and key != "device"}
        return model.set_params(**defaults | {"pretrained": name} | params)

    @classmethod
    def load(cls, path, *, device="cpu"):
        """Read a classifier written by :meth:`save`.

        Raises
        ------
        ValueError
            Naming the file, when it is not a complete astro_cyclic model file,
            or its content does not match the checksum it was saved with.
        """
        config, state_dict = read_model_file(path, format=_FILE_FORMAT)
        try:
            return cls._from_config(config, state_dict, device)
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            raise ValueError(f"{path}: not a usable CyclicClassifier configuration "
                             f"({type(exc).__name__}: {exc})") from None

    @classmethod
    def _from_config(cls, config, state_dict, device):
        params = params_from_json(config["params"])
        if isinstance(params["star_features"], dict):
            settings = params["star_features"]["richards"]
            search = settings["period_search"]
            params["star_features"] = RichardsFeatures(None if search is None else PeriodSearch(**search),
                                                       min_points=settings["min_points"])
        if "validation_fraction" in params:  # files written before train_split replaced it
            params["train_split"] = params.pop("validation_fraction") or None
        for name in NETWORK_PARAMS:  # files written before the hyper-parameters were spelt module__<name>
            if name in params:
                value = params.pop(name)
                if value is not None:
                    params[_MODULE_PREFIX + name] = value
        if isinstance(params["train_split"], dict):
            stars = params["train_split"].get("validation_stars")
            params["train_split"] = None if stars is None else ValidationStars(stars)
        # Files from before apparent_magnitude existed: their networks took the mean magnitudes.
        params.setdefault("apparent_magnitude", True)
        params["device"] = device
        self = cls(**params)
        self.classes_ = np.asarray(config["classes"], dtype=np.dtype(config["classes_dtype"]))
        self.standardizer_ = Standardizer.from_dict(config["standardizer"])
        # A NaN weight or a zero scale would load and answer NaN for every star: refused here instead.
        scales = np.r_[self.standardizer_.gap_scale_, self.standardizer_.aux_scale_]
        shifts = np.r_[self.standardizer_.gap_mean_, self.standardizer_.aux_mean_]
        if not (np.all(np.isfinite(scales)) and np.all(scales > 0) and np.all(np.isfinite(shifts))):
            raise ValueError("the input scaling (standardizer) has a non-finite or non-positive scale, or a "
                             "non-finite mean")
        bad = [name for name, tensor in state_dict.items()
               if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all())]
        if bad:
            raise ValueError(f"the network weights {', '.join(bad)} are not finite")
        self.bands_ = tuple(config.get("bands", ()))  # files from before bands existed: single-band
        self.network_params_ = {k: v for k, v in config["network_params"].items() if v is not None}
        self.history_, self.best_epoch_ = config["history"], config["best_epoch"]
        self.device_ = resolve_device(device)
        self.module_ = self._build_module(validate_architecture(self.architecture))
        self.module_.load_state_dict(state_dict)
        self.module_.to(self.device_).eval()
        return self


def _inference_batch_size(device):
    """Segments per forward batch at prediction.

    On the CPU the batch size changes the iTCN's speed by less than 20%
    between 32 and 512 segments (benchmarks/results/performance.md), and a
    moderate batch keeps the activations small; a GPU wants large batches.
    """
    return 4096 if device.type == "cuda" else 256


def _chunks(X, chunk_size):
    """Lists of at most ``chunk_size`` light curves, read lazily from any iterable ``X``."""
    if X is None or isinstance(X, (list, tuple, np.ndarray, Table, StarLightCurve, PreparedStar, str, bytes)):
        X = _collection_items(X)  # in memory already; a single light curve is refused with a clear message
    try:
        iterator = iter(X)
    except TypeError:
        raise TypeError(f"X must be an iterable of light curves, got {type(X).__name__}") from None
    offset = 0
    while items := list(itertools.islice(iterator, chunk_size)):
        # Tuples are named by their position in the whole of X, as as_light_curves does for a list.
        yield [item if _position_id(item, 0) is None else as_light_curve(item, star_id=offset + i)
               for i, item in enumerate(items)]
        offset += len(items)


def _seed(random_state):
    """One integer seed for numpy and torch from ``random_state`` (None, int, RandomState or Generator)."""
    if random_state is None:
        return int(np.random.SeedSequence().entropy % 2**31)
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**31 - 1))
    raise ValueError(f"random_state must be None, an int, a RandomState or a Generator, got {random_state!r}")

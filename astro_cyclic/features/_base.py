"""What the package's feature transformers share: parameters checked alike, bands checked alike, names out."""

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import check_number
from ..period import PeriodSearch


class StarFeatures(TransformerMixin, BaseEstimator):
    """Base of transformers from light curves (given a period, cleaned with ``min_points``) to feature columns.

    Subclasses set ``feature_names_out_`` and ``n_features_out_`` in ``fit``.
    """

    def _check_params(self):
        check_number(self.min_points, "min_points", min_val=5)
        if self.period_search is not None and not isinstance(self.period_search, PeriodSearch):
            raise TypeError(f"period_search must be a PeriodSearch, got {type(self.period_search).__name__}")

    @staticmethod
    def _check_bands(lc, bands):
        """A clear error unless light curve ``lc`` is labelled with bands that are all among ``bands``."""
        if lc.band is None:
            raise ValueError(f"{lc.label} has no band labels, but the features take bands {', '.join(bands)}")
        unknown = sorted(set(lc.bands) - set(bands))
        if unknown:
            raise ValueError(f"{lc.label} has observations in band(s) {', '.join(unknown)}, which the features "
                             f"do not know (bands: {', '.join(bands)})")

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : ignored
            The input is light curves, which have no feature names.

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self)
        return self.feature_names_out_.copy()

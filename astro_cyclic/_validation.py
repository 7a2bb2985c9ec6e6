"""The package's two argument checks: numbers through scikit-learn's ``check_scalar``, options through one validator.

Every parameter is checked where it is used (``fit``, a network's constructor,
a loader), with the parameter named in the error, and, for an option, the
valid choices listed, so that a mistyped value fails at once, not as a shape
error deep inside training.
"""

import numbers

from sklearn.utils import check_scalar

__all__ = ["check_fraction", "check_number", "validate_option"]


def check_number(value, name, kind=numbers.Integral, *, min_val=None, max_val=None, include_boundaries="both",
                 owner=None):
    """Return ``value`` as an int or float after scikit-learn's :func:`~sklearn.utils.check_scalar`.

    Booleans are refused although Python counts them as integers: ``True`` is
    never a meaningful count or rate.

    Parameters
    ----------
    value : object
    name : str
        The parameter, named in the error.
    kind : type, default numbers.Integral
        ``numbers.Integral`` or ``numbers.Real``.
    min_val, max_val : number, optional
    include_boundaries : {"both", "left", "right", "neither"}
    owner : str, optional
        Who checks (a network, a function), put before the message.

    Raises
    ------
    TypeError
        When ``value`` is not of ``kind``.
    ValueError
        When it is out of range.

    Examples
    --------
    >>> check_number(3, "depth", min_val=1)
    3
    >>> check_number(0.0, "dropout", numbers.Real, min_val=0, max_val=1, include_boundaries="left")
    0.0
    >>> check_number(0, "depth", min_val=1, owner="ITCN")
    Traceback (most recent call last):
    ...
    ValueError: ITCN: depth == 0, must be >= 1.
    """
    prefix = "" if owner is None else f"{owner}: "
    if isinstance(value, bool):
        raise TypeError(f"{prefix}{name} must be {'an integer' if kind is numbers.Integral else 'a number'}, "
                        f"got {value!r}")
    try:
        check_scalar(value, name, kind, min_val=min_val, max_val=max_val, include_boundaries=include_boundaries)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{prefix}{exc}") from None
    return int(value) if kind is numbers.Integral else float(value)


def check_fraction(value, name, *, owner=None):
    """Return ``value`` as a float in [0, 1) (a dropout rate, a fraction of stars or points held out).

    1 is refused: a dropout of 1 zeroes every activation, and holding out all
    stars leaves none to train on.

    Examples
    --------
    >>> check_fraction(0.25, "dropout")
    0.25
    """
    return check_number(value, name, numbers.Real, min_val=0, max_val=1, include_boundaries="left", owner=owner)


def validate_option(value, options, name, *, owner=None):
    """Return the option that ``value`` names; else raise a ValueError that lists the options.

    The idiom of lightkurve's ``validate_method``: strings are compared
    without regard to case, and the error names the parameter and every
    valid choice. Booleans match only themselves (``1 == True`` in Python,
    but 1 is not the option ``True``).

    Parameters
    ----------
    value : object
    options : iterable
        The valid choices (strings, or other values such as ``None`` or ``True``).
    name : str
        The parameter, named in the error.
    owner : str, optional
        Who checks, put before the message.

    Returns
    -------
    object
        The matching option, as it is spelled in ``options``.

    Examples
    --------
    >>> validate_option("Cosine", ("cosine", "plateau"), "lr_schedule")
    'cosine'
    >>> validate_option("linear", ("cosine", "plateau"), "lr_schedule")
    Traceback (most recent call last):
    ...
    ValueError: lr_schedule must be one of 'cosine', 'plateau'; got 'linear'
    """
    options = list(options)
    for option in options:
        if isinstance(value, str) and isinstance(option, str):
            if value.lower() == option.lower():
                return option
        elif isinstance(value, bool) or isinstance(option, bool):
            if value is option:
                return option
        elif type(value) is type(option) and value == option:
            return option
    prefix = "" if owner is None else f"{owner}: "
    raise ValueError(f"{prefix}{name} must be one of {', '.join(map(repr, options))}; got {value!r}")

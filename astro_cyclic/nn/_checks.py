"""Argument checks shared by the network constructors and :func:`build_network`.

Every check raises `ValueError` with the offending parameter named (and the
network that rejected it), because a mistyped hyper-parameter should fail at
construction, not surface as a shape error deep inside a training loop.
"""

import numbers

__all__ = ["check_int", "check_dropout", "check_choice"]


def check_int(value, name, minimum, owner):
    """Return ``value`` as a Python int, or raise if it is not an integer >= ``minimum``.

    Parameters
    ----------
    value : object
        The value supplied by the caller.
    name : str
        Parameter name, quoted in the error message.
    minimum : int
        Smallest allowed value (inclusive).
    owner : str
        Name of the network (or function) doing the check, quoted in the message.

    Returns
    -------
    int
        ``value`` converted to a built-in int (NumPy integers are accepted).

    Raises
    ------
    ValueError
        If ``value`` is not an integer (booleans are rejected: ``True`` is an
        int to Python but never a meaningful layer count) or is below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{owner}: {name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_dropout(value, owner, name="dropout"):
    """Return ``value`` as a float in ``[0, 1)``, or raise.

    Parameters
    ----------
    value : object
        Dropout probability supplied by the caller.
    owner : str
        Name of the network doing the check, quoted in the message.
    name : str, optional
        Parameter name, quoted in the message.

    Returns
    -------
    float
        The dropout probability.

    Raises
    ------
    ValueError
        If ``value`` is not a real number with ``0 <= value < 1`` (a rate of 1
        would zero every activation during training).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{owner}: {name} must be a number in [0, 1), got {value!r}")
    value = float(value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{owner}: {name} must be a number in [0, 1), got {value}")
    return value


def check_choice(value, name, choices, owner):
    """Return the lower-cased ``value`` if it is one of ``choices``, or raise.

    Parameters
    ----------
    value : object
        String supplied by the caller (case-insensitive).
    name : str
        Parameter name, quoted in the message.
    choices : iterable of str
        Allowed lower-case values.
    owner : str
        Name of the network doing the check, quoted in the message.

    Returns
    -------
    str
        The lower-cased value.

    Raises
    ------
    ValueError
        If ``value`` is not a string or not one of ``choices``; the message
        lists the allowed values.
    """
    allowed = sorted(choices)
    if not isinstance(value, str) or value.lower() not in allowed:
        raise ValueError(f"{owner}: {name} must be one of {allowed}, got {value!r}")
    return value.lower()

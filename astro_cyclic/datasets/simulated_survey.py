"""A survey simulator grounded in real catalogue parameters and real cadences.

:func:`simulate_survey` draws each star's parameters from a real catalogue
instead of from ranges: a pulsator is a random row of its class in the OGLE-III
catalogue of variable stars (period, I-band amplitude and Fourier shape R21,
phi21, R31, phi31, V - I colour, all from one star, so their correlations are
kept); a long-period variable takes the catalogue's three periods and
amplitudes and changes from cycle to cycle; an eclipsing binary takes a period
of a MACHO eclipsing binary and an analytic two-sphere eclipse model. The star
is then observed with the time stamps of a real survey star (EROS-1, ASAS,
MACHO, or any light curves the user passes), in that star's bands, with errors
from the survey's own error-magnitude relation.

It is what the package's pretrained models are trained on
(:func:`astro_cyclic.pretrained_models`).
"""

import numpy as np
from sklearn.utils import Bunch

from .._validation import check_number, validate_option
from ..lightcurves import StarLightCurve, _point_checks, as_light_curves

__all__ = ["BAND_WEIGHTS", "CADENCE_SURVEYS", "SIMULATED_CLASSES", "simulate_survey"]

#: Classes the simulator makes, and where their parameters come from.
SIMULATED_CLASSES = {
    "Cepheid_1O": "first-overtone classical Cepheid (OGLE-III Cep, subtype 1)",
    "Cepheid_F": "fundamental-mode classical Cepheid (OGLE-III Cep, subtype F)",
    "DSCT": "delta Scuti star (OGLE-III DSCT, single-mode)",
    "EA": "detached eclipsing binary (MACHO eclipsing-binary periods, sum of radii < 0.65 of the separation)",
    "EW": "contact eclipsing binary (MACHO eclipsing-binary periods, sum of radii >= 0.65 of the separation)",
    "Mira": "Mira (OGLE-III LPV, subtype Mira)",
    "OSARG": "OGLE small-amplitude red giant (OGLE-III LPV, subtype OSARG)",
    "RRab": "fundamental-mode RR Lyrae star (OGLE-III RRLyr, subtype RRab)",
    "RRc": "first-overtone RR Lyrae star (OGLE-III RRLyr, subtype RRc)",
    "SRV": "semi-regular variable (OGLE-III LPV, subtype SRV)",
    "T2Cep": "type II Cepheid: BL Her, W Vir, RV Tau (OGLE-III T2Cep)",
}

#: The catalogue rows of each pulsating class: (Type, Subtypes).
_OGLE3_ROWS = {
    "Cepheid_1O": ("Cep", ("1",)),
    "Cepheid_F": ("Cep", ("F",)),
    "DSCT": ("DSCT", ("S",)),
    "Mira": ("LPV", ("Mira",)),
    "OSARG": ("LPV", ("OSARG",)),
    "RRab": ("RRLyr", ("RRab",)),
    "RRc": ("RRLyr", ("RRc",)),
    "SRV": ("LPV", ("SRV",)),
    "T2Cep": ("T2Cep", ("BLHer", "WVir", "RVTau", "pWVir")),
}
_LPV = ("Mira", "OSARG", "SRV")
_BINARIES = ("EA", "EW")

#: Surveys whose real cadences (time stamps, bands, error-magnitude relation) the simulator can use by name.
CADENCE_SURVEYS = ("asas", "eros1", "macho")

#: Where each band sits between the I band (0) and the V band (1): a star's colour in band b is
#: ``(V - I) * w_b`` and its amplitude ``A_I * ratio ** w_b`` (``ratio`` the class's A_V / A_I).
#: EROS-1 and MACHO "b" are V-like, their "r" bands lie between R and I; rough, as the bands are broad.
BAND_WEIGHTS = {"u": 1.8, "B": 1.4, "g": 1.2, "V": 1.0, "b": 1.0, "G": 0.6, "R": 0.4, "r": 0.4, "i": 0.0,
                "I": 0.0, "z": -0.2, "y": -0.3}

# A_V / A_I per class: about 1.6 for RR Lyrae, Cepheids and delta Scuti stars (Soszynski et al. 2008,
# 2009: their V and I amplitudes), larger for the cool Miras; eclipses are nearly grey (their colour
# dependence is the surface-brightness ratio, below).
_AMPLITUDE_RATIO = {"Cepheid_1O": 1.6, "Cepheid_F": 1.65, "DSCT": 1.6, "EA": 1.0, "EW": 1.0, "Mira": 2.2,
                    "OSARG": 1.5, "RRab": 1.6, "RRc": 1.6, "SRV": 1.8, "T2Cep": 1.6}
# Long-period variables from cycle to cycle: rms phase wander per cycle of the primary period (cycles) and
# rms of the log amplitude factor, per subtype. Miras keep their period to a few per cent (Templeton et
# al. 2005) and their maxima vary by tenths of a magnitude; semi-regulars and OSARGs wander much more.
_LPV_WANDER = {"Mira": (0.02, 0.1), "SRV": (0.06, 0.25), "OSARG": (0.1, 0.35)}
# Solar radii per (solar mass)^(1/3) (day)^(2/3): Kepler's third law, a = 4.208 R_sun (M P^2)^(1/3).
_KEPLER = 4.208
_CONTACT = 0.65  # sum of the relative radii from which a binary is called a contact (EW) system
_GRID = np.arange(720) / 720.0


def simulate_survey(n_stars=1000, *, cadences="asas", classes=None, band="I", catalogue=None,
                    binary_periods=None, min_points=10, data_home=None, random_state=None):
    """Simulate a labelled survey from real catalogue parameters, on real survey cadences.

    Pulsators (``"RRab"``, ``"RRc"``, ``"Cepheid_F"``, ``"Cepheid_1O"``,
    ``"T2Cep"``, ``"DSCT"``): a random star of the class in the OGLE-III
    catalogue gives the period P, the I-band peak-to-peak amplitude A and the
    shape ``cos x + R21 cos(2x + phi21) + R31 cos(3x + phi31)``, x the phase
    angle (the catalogue's cosine series; R31 = 0 for delta Scuti stars, which
    it lists without), scaled to amplitude A.

    Long-period variables (``"Mira"``, ``"SRV"``, ``"OSARG"``): the sum of
    the catalogue star's three periodic terms (periods P1-P3, amplitudes A1-A3)
    whose phases wander and amplitudes change from one cycle of P1 to the next
    (Mira: 0.02 cycle and 10 % rms per cycle; SRV 0.06 and 25 %; OSARG 0.1
    and 35 %), smoothly.

    Eclipsing binaries (``"EA"``, ``"EW"``): a period drawn from the MACHO
    eclipsing binaries; two uniform spheres on a circular orbit, total mass
    1-4 solar masses, radii log-normal about 1.3 solar radii (0.25 dex), so
    that Kepler's third law gives the radii relative to the separation
    (capped at 0.5, the largest a contact system holds); surface-brightness
    ratio 0.2-1 (0.8-1 in contact), an inclination at which the stars
    eclipse, and ellipsoidal variation ``1.2 r**3 sin(i)**2``. Eclipsed flux
    is the exact overlap of the two discs. Sums of radii of at least 0.65 are
    labelled ``"EW"``, smaller ones ``"EA"``: the label follows from the
    geometry the period allows.

    Cadence and noise: each star is observed at the times (and in the
    bands) of a random star of ``cadences``; its mean magnitude in that
    star's first band by :data:`BAND_WEIGHTS` (the reddest) is that star's
    median magnitude, so that the errors are those the survey gives such a
    star. The error of each point comes from the survey's error-magnitude
    relation: the median and scatter of log10(error) in 0.25-mag bins of all
    of ``cadences``'s points in that band; Gaussian noise of that size is
    added. In other bands the star has its colour ``(V - I) * w`` (V - I of
    the catalogue star, or the class's median) and amplitude ``A *
    ratio**w``, with ``w`` from :data:`BAND_WEIGHTS` and ``ratio`` the
    class's V to I amplitude ratio (1.6 for RR Lyrae, Cepheids and delta
    Scuti stars, 2.2 for Miras, 1 for eclipses, whose colour dependence is the
    surface-brightness ratio raised to ``1 + 0.5 w``).

    Parameters
    ----------
    n_stars : int
        Number of stars, split evenly among the classes (the remainder one each
        to the first in alphabetical order), then shuffled.
    cadences : {"asas", "eros1", "macho"} or sequence of light curves
        Whose time stamps, bands and error-magnitude relation to use: a survey
        of :data:`CADENCE_SURVEYS` (its loader reads it from ``data_home``:
        the ASAS V band, EROS-1 blue and red, MACHO blue and red), or light
        curves in any form :func:`~astro_cyclic.as_light_curves` takes. Of
        each, the points :func:`~astro_cyclic.clean_light_curve` would keep
        are used (no non-finite value, error > 0, no survey sentinel); at
        least ``min_points`` of them.
    classes : sequence of str, optional
        Classes to simulate, names of :data:`SIMULATED_CLASSES` (default all).
    band : str, default "I"
        The band of single-band ``cadences`` light curves, a key of
        :data:`BAND_WEIGHTS` (the ASAS survey is "V" whatever this says).
    catalogue : astropy.table.Table, optional
        The OGLE-III catalogue (default :func:`load_ogle3_catalogue` from
        ``data_home``).
    binary_periods : array-like, optional
        Eclipsing-binary periods in days (default: those of the MACHO
        catalogue's eclipsing binaries, :func:`load_macho_catalog`).
    min_points : int, default 10
        Fewest points a cadence light curve must have.
    data_home : str or os.PathLike, optional
        Data folder of the catalogues and survey cadences (see :func:`get_data_home`).
    random_state : int, numpy.random.Generator or None
        The same seed and inputs give the same survey.

    Returns
    -------
    data : sklearn.utils.Bunch
        With fields

        light_curves : list of StarLightCurve
            Times (days) of the cadence star, magnitudes and errors, bands
            when it has several; each carries its true ``period`` (the
            primary one for long-period variables, the orbital one for
            binaries) and ``star_id`` ``"sim-000000"``, ...
        target : ndarray of str
            Class names.
        periods, amplitudes : ndarray
            True period (days) and I-band peak-to-peak amplitude (mag; for
            binaries the depth of the deeper eclipse in the I band).
        parameters : astropy.table.Table
            Per star: ``class``, ``period``, ``amplitude``, ``R21``,
            ``phi21``, ``R31``, ``phi31`` (NaN where not used), ``V_I``,
            ``cadence_star`` (the id of the star whose cadence it has) and
            ``source`` (the catalogue star or binary geometry it comes from).
        class_names : list of str
            The classes simulated, sorted.
        DESCR : str
            Description of the data set.

    Raises
    ------
    ValueError
        For an unknown class, survey or band name (the valid ones are
        listed), or a cadence light curve with too few points or non-positive
        errors (named).
    DatasetNotFoundError
        When a catalogue or survey it must load is not in the data folder.

    References
    ----------
    .. [1] Soszynski, I. et al. 2008-2011, "The OGLE-III Catalog of Variable
       Stars", Acta Astron. 58-61 (parameters of the pulsators and
       long-period variables).
    .. [2] Alcock, C. et al. 2003, "The MACHO project LMC variable star
       inventory", arXiv:astro-ph/0309064 (eclipsing-binary periods).
    .. [3] Templeton, M. R., Mattei, J. A. & Willson, L. A. 2005, "Secular
       evolution in Mira variable pulsations", AJ 130, 776.

    Examples
    --------
    >>> import numpy as np
    >>> from astro_cyclic import StarLightCurve
    >>> from astro_cyclic.datasets import simulate_survey
    >>> t = np.sort(np.random.default_rng(0).uniform(0, 1000, 200))
    >>> donor = StarLightCurve(t, 15 + 0 * t, 0.02 + 0 * t, star_id="field-1")
    >>> data = simulate_survey(20, cadences=[donor], classes=["RRab", "EA"], random_state=0)  # doctest: +SKIP
    >>> sorted(set(data.target)), len(data.light_curves[0])  # doctest: +SKIP
    (['EA', 'RRab'], 200)
    """
    n_stars = check_number(n_stars, "n_stars", min_val=1)
    names = _select(classes)
    band = validate_option(band, tuple(BAND_WEIGHTS), "band")
    rng = np.random.default_rng(random_state)
    donors, survey, band = _cadence_stars(cadences, band, min_points, data_home)
    errors = _ErrorRelation(donors)

    per_class = np.full(len(names), n_stars // len(names))
    per_class[: n_stars % len(names)] += 1
    codes = rng.permutation(np.repeat(np.arange(len(names)), per_class))
    target = np.asarray(names)[codes]

    columns = ("period", "amplitude", "R21", "phi21", "R31", "phi31", "V_I")
    params = {key: np.full(n_stars, np.nan) for key in columns}
    source = np.empty(n_stars, dtype=object)
    # Per star: what makes its I-band variation at times t (days from its first point), phase in cycles.
    variations = [None] * n_stars
    pulsating = [c for c in names if c not in _BINARIES]
    rows = _catalogue_rows(catalogue, pulsating, data_home) if pulsating else {}
    for name in pulsating:
        members = np.flatnonzero(target == name)
        table = rows[name]
        pick = rng.integers(0, table["P_1"].size, members.size)
        for key in columns:
            params[key][members] = table["P_1" if key == "period" else "A_1" if key == "amplitude" else key][pick]
        source[members] = [f"OGLE-III {table['ID'][i]}" for i in pick]
        for star, row in zip(members, pick):
            if name in _LPV:
                variations[star] = _lpv_variation(rng, table, row, name)
            else:
                shape = (table[k][row] for k in ("A_1", "R21", "phi21", "R31", "phi31"))
                variations[star] = _fourier_variation(*shape)
    if any(c in _BINARIES for c in names):
        for name, geometry in _draw_binaries(rng, target, _binary_periods(binary_periods, data_home)).items():
            members = geometry.pop("members")
            params["period"][members], params["V_I"][members] = geometry["period"], geometry["V_I"]
            params["amplitude"][members] = _binary_magnitudes(_GRID[None, :], geometry, 0.0).max(axis=1)
            for slot, star in enumerate(members):
                one = {key: value[slot:slot + 1] for key, value in geometry.items()}
                source[star] = (f"binary r1={one['r1'][0]:.3f} r2={one['r2'][0]:.3f} "
                                f"i={np.degrees(one['incl'][0]):.1f} J={one['J'][0]:.2f}")
                variations[star] = _binary_variation(one)

    donor_of = rng.integers(0, len(donors), n_stars)
    light_curves = []
    for star, donor in enumerate(donors[i] for i in donor_of):
        t = donor.time - donor.time[0]
        phase = (t / params["period"][star] + rng.uniform()) % 1.0
        bands = np.full(t.size, band) if donor.band is None else donor.band
        # The star's magnitude in its cadence star's reddest band is that star's median: the errors are
        # those the survey gives such a star; the other bands follow from the star's own colour.
        reference = _reference_band(bands)
        v_i = params["V_I"][star]
        base = np.median(donor.mag[bands == reference]) - v_i * BAND_WEIGHTS[reference]
        true_mag = np.empty(t.size)
        for b in np.unique(bands):
            on = bands == b
            w = BAND_WEIGHTS[b]
            true_mag[on] = base + v_i * w + _AMPLITUDE_RATIO[target[star]] ** w * variations[star](t, phase, on, w)
        err = errors(bands, true_mag, rng)
        mag = true_mag + err * rng.standard_normal(t.size)
        light_curves.append(StarLightCurve(donor.time, mag, err, period=params["period"][star],
                                           star_id=f"sim-{star:06d}", band=donor.band))

    from astropy.table import Table

    parameters = Table({"class": target, **params,
                        "cadence_star": np.array([str(donors[i].star_id) for i in donor_of]),
                        "source": source.astype(str)})
    return Bunch(light_curves=light_curves, target=target, periods=params["period"].copy(),
                 amplitudes=params["amplitude"].copy(), parameters=parameters, class_names=names,
                 DESCR=_describe(n_stars, names, per_class, survey, len(donors)))


# ---------------------------------------------------------------- inputs
def _select(classes):
    valid = tuple(SIMULATED_CLASSES)
    if classes is None:
        return list(valid)
    if isinstance(classes, str):
        classes = [classes]
    chosen = sorted({validate_option(c, valid, "class") for c in classes})
    if not chosen:
        raise ValueError(f"classes must name at least one of {', '.join(valid)}")
    return chosen


def _cadence_stars(cadences, band, min_points, data_home):
    """The cadence light curves (checked), a name for the description, and the band of single-band ones."""
    min_points = check_number(min_points, "min_points", min_val=2)
    if isinstance(cadences, str):
        survey = validate_option(cadences, CADENCE_SURVEYS, "cadences")
        if survey == "asas":
            from .asas import load_asas_richards2012
            donors, band = load_asas_richards2012(data_home=data_home).light_curves, "V"
        elif survey == "eros1":
            from .eros1 import load_eros1
            donors = load_eros1(data_home=data_home, band=("b", "r")).light_curves
        else:
            from .macho import load_macho
            donors = load_macho(data_home=data_home, band=("b", "r")).light_curves
    else:
        survey = "user light curves"
        donors = as_light_curves(cadences)
        if not donors:
            raise ValueError("cadences holds no light curve")
    checked = []
    for lc in donors:
        # The points the package's cleaning keeps: the surveys' files hold sentinels (MACHO stores missing
        # errors as -99 or 0) that must not enter the error-magnitude relation.
        finite, positive, sentinel = _point_checks(lc)
        keep = finite & positive & ~sentinel
        if keep.sum() < min_points:
            raise ValueError(f"cadence {lc.label} has {int(keep.sum())} usable points (finite, error > 0, no "
                             f"sentinel); at least {min_points} are needed (min_points)")
        bands = np.full(int(keep.sum()), band) if lc.band is None else lc.band[keep]
        for b in np.unique(bands):
            validate_option(str(b), tuple(BAND_WEIGHTS), f"band of cadence {lc.label}")
        order = np.argsort(lc.time[keep], kind="stable")
        checked.append(StarLightCurve(lc.time[keep][order], lc.mag[keep][order], lc.err[keep][order],
                                      star_id=lc.star_id, band=None if lc.band is None else bands[order]))
    return checked, survey, band


def _reference_band(bands):
    """The reddest band present: the one catalogue (I-band) parameters are closest to."""
    return min(np.unique(bands), key=lambda b: BAND_WEIGHTS[b])


class _ErrorRelation:
    """Per band: median and scatter of log10(error) in 0.25-mag bins of the cadence stars' points."""

    _WIDTH = 0.25

    def __init__(self, donors):
        self.bins = {}
        bands = [np.full(len(lc), "") if lc.band is None else lc.band for lc in donors]
        mag = np.concatenate([lc.mag for lc in donors])
        log_err = np.log10(np.concatenate([lc.err for lc in donors]))
        band = np.concatenate(bands)
        for b in np.unique(band):
            on = band == b
            index = np.floor(mag[on] / self._WIDTH).astype(np.int64)
            keys, inverse = np.unique(index, return_inverse=True)
            median = np.array([np.median(log_err[on][inverse == k]) for k in range(keys.size)])
            spread = np.array([np.std(log_err[on][inverse == k]) if (inverse == k).sum() > 2 else 0.0
                               for k in range(keys.size)])
            self.bins[b] = ((keys + 0.5) * self._WIDTH, median, spread)

    def __call__(self, bands, mag, rng):
        err = np.empty(mag.size)
        for b in np.unique(bands):
            on = bands == b
            centres, median, spread = self.bins[b if b in self.bins else ""]
            # Beyond the magnitudes the survey has, the nearest bin's errors (np.interp holds the end values).
            log_err = np.interp(mag[on], centres, median) + np.interp(mag[on], centres, spread) * \
                rng.standard_normal(on.sum())
            err[on] = 10.0 ** log_err
        return err


def _catalogue_rows(catalogue, names, data_home):
    """Per class: arrays of the catalogue stars with every parameter the class needs."""
    if catalogue is None:
        from .ogle3_catalogue import load_ogle3_catalogue
        catalogue = load_ogle3_catalogue(data_home=data_home)
    kind = np.asarray(catalogue["Type"]).astype(str)
    subtype = np.asarray(catalogue["Subtype"]).astype(str)

    def column(name):
        values = catalogue[name]
        return np.where(np.ma.getmaskarray(values), np.nan, np.ma.getdata(values)).astype(float)

    rows = {}
    for name in names:
        wanted, subtypes = _OGLE3_ROWS[name]
        on = (kind == wanted) & np.isin(subtype, subtypes)
        table = {"ID": np.asarray(catalogue["ID"]).astype(str)[on]}
        v_i = column("V")[on] - column("I")[on]
        table["V_I"] = np.where(np.isfinite(v_i), v_i, np.nanmedian(v_i) if np.isfinite(v_i).any() else 1.0)
        if name in _LPV:
            for k in (1, 2, 3):
                table[f"P_{k}"], table[f"A_{k}"] = column(f"P_{k}")[on], column(f"A_{k}")[on]
            table.update({key: np.full(on.sum(), np.nan) for key in ("R21", "phi21", "R31", "phi31")})
            good = np.isfinite(table["P_1"]) & (table["P_1"] > 0) & np.isfinite(table["A_1"])
            for k in (2, 3):  # a missing secondary term contributes nothing
                missing = ~(np.isfinite(table[f"P_{k}"]) & (table[f"P_{k}"] > 0) & np.isfinite(table[f"A_{k}"]))
                table[f"P_{k}"][missing], table[f"A_{k}"][missing] = 1.0, 0.0
        else:
            table["P_1"], table["A_1"] = column("P_1")[on], column("A_1")[on]
            r21, phi21 = column("R21_1")[on], column("phi21_1")[on]
            if name == "DSCT":
                # The catalogue file lists the delta Scuti stars' R21 and phi21 in each other's columns
                # (its "R21" runs over 0-2 pi, its "phi21" over 0-0.7); no R31 or phi31 are given.
                r21, phi21 = phi21, r21
                r31, phi31 = np.zeros(on.sum()), np.zeros(on.sum())
            else:
                r31, phi31 = column("R31_1")[on], column("phi31_1")[on]
            table.update(R21=r21, phi21=phi21, R31=r31, phi31=phi31)
            good = np.all([np.isfinite(table[k]) for k in ("P_1", "A_1", "R21", "phi21", "R31", "phi31")], axis=0)
            good &= (table["P_1"] > 0) & (table["A_1"] > 0)
        if not good.any():
            raise ValueError(f"the catalogue has no usable star of class {name!r} (OGLE-III type {wanted}, "
                             f"subtype {', '.join(subtypes)})")
        rows[name] = {key: value[good] for key, value in table.items()}
    return rows


def _binary_periods(periods, data_home):
    if periods is None:
        from .macho import load_macho_catalog
        catalogue = load_macho_catalog(data_home=data_home)
        eclipsing = np.asarray(catalogue["classification"]) == 10
        periods = np.asarray(catalogue["period_r"], dtype=float)[eclipsing]
    periods = np.asarray(periods, dtype=float).ravel()
    periods = periods[np.isfinite(periods) & (periods > 0)]
    if not periods.size:
        raise ValueError("binary_periods holds no positive, finite period")
    return periods


# ---------------------------------------------------------------- shapes
def _fourier_template(phase, r21, phi21, r31, phi31):
    """The catalogue's cosine series at ``phase``, scaled to unit peak-to-peak amplitude about its mid-range."""
    def series(p):
        x = 2.0 * np.pi * p
        return np.cos(x) + r21 * np.cos(2.0 * x + phi21) + r31 * np.cos(3.0 * x + phi31)
    on_grid = series(_GRID)
    low, high = on_grid.min(), on_grid.max()
    return (series(phase) - 0.5 * (low + high)) / (high - low)


# The variation factories below return f(t, phase, on, w): the I-band-scaled magnitude change of the points
# selected by ``on`` (times t in days from the first point, phase in cycles, band weight w).

def _fourier_variation(amplitude, r21, phi21, r31, phi31):
    return lambda t, phase, on, w: amplitude * _fourier_template(phase[on], r21, phi21, r31, phi31)


def _binary_variation(geometry):
    # Colour enters through the surface-brightness ratio (the class's amplitude ratio is 1).
    return lambda t, phase, on, w: _binary_magnitudes(phase[on][None, :], geometry, w)[0]


def _lpv_variation(rng, table, row, name):
    """A long-period variable's three terms, their phases and amplitudes wandering from cycle to cycle."""
    phase_rms, amplitude_rms = _LPV_WANDER[name]
    primary = table["P_1"][row]
    terms = [(table[f"P_{k}"][row], table[f"A_{k}"][row], rng.uniform()) for k in (1, 2, 3)
             if table[f"A_{k}"][row] > 0]
    seed = rng.integers(2**63)

    def variation(t, phase, on, w):
        # The wander is drawn once per star (same seed in every band), on the cycles of the primary period.
        draw = np.random.default_rng(seed)
        cycles = t / primary
        first = np.floor(cycles).astype(np.intp)
        frac = (cycles - first)[on]
        n_nodes = int(first.max()) + 2

        def smooth(values):  # per-cycle values, linearly interpolated: no jumps at cycle edges
            return values[first[on]] * (1.0 - frac) + values[first[on] + 1] * frac

        total = np.zeros(on.sum())
        for period, amplitude, offset in terms:
            wander = np.cumsum(draw.normal(0.0, phase_rms, n_nodes))
            gain = np.exp(draw.normal(0.0, amplitude_rms, n_nodes))
            total += 0.5 * amplitude * smooth(gain) * np.cos(2.0 * np.pi * (t[on] / period + offset + smooth(wander)))
        return total
    return variation


def _draw_binaries(rng, target, periods):
    """Geometry of every binary star, drawn from the period; grouped under the label the geometry gives."""
    members = np.flatnonzero(np.isin(target, _BINARIES))
    wanted = {name: np.flatnonzero(target == name) for name in _BINARIES}
    drawn = {name: [] for name in _BINARIES}
    # Draw systems until each label has as many as asked for: the label follows from the geometry.
    while any(len(drawn[name]) < wanted[name].size for name in _BINARIES):
        n = 4 * members.size + 64
        period = periods[rng.integers(0, periods.size, n)]
        separation = _KEPLER * rng.uniform(1.0, 4.0, n) ** (1 / 3) * period ** (2 / 3)
        r1 = np.minimum(10.0 ** rng.normal(np.log10(1.3), 0.25, n) / separation, 0.5)
        r2 = np.minimum(10.0 ** rng.normal(np.log10(1.3), 0.25, n) / separation, 0.5)
        total = r1 + r2
        contact = total >= _CONTACT
        j = np.where(contact, rng.uniform(0.8, 1.0, n), rng.uniform(0.2, 1.0, n))
        incl = np.arccos(rng.uniform(0.0, 1.0, n) * np.minimum(total, 1.0))  # cos i < r1 + r2: eclipsing
        for i in range(n):
            name = "EW" if contact[i] else "EA"
            if len(drawn[name]) < wanted[name].size:
                drawn[name].append((period[i], r1[i], r2[i], j[i], incl[i]))
    geometry = {}
    for name in _BINARIES:
        if not wanted[name].size:
            continue
        period, r1, r2, j, incl = (np.array(v) for v in zip(*drawn[name]))
        # Contact systems have similar stars (V - I about 0.6); detached ones anything from hot to cool.
        v_i = np.where(j > 0.8, rng.uniform(0.4, 0.8, j.size), rng.uniform(-0.1, 1.2, j.size))
        geometry[name] = {"members": wanted[name], "period": period, "r1": r1, "r2": r2, "J": j,
                          "incl": incl, "V_I": v_i}
    return geometry


def _overlap(r1, r2, d):
    """Area common to two discs of radii ``r1``, ``r2`` whose centres are ``d`` apart (exact)."""
    d = np.maximum(d, 1e-12)
    a1 = np.clip((d * d + r1 * r1 - r2 * r2) / (2.0 * d * r1), -1.0, 1.0)
    a2 = np.clip((d * d + r2 * r2 - r1 * r1) / (2.0 * d * r2), -1.0, 1.0)
    lens = (r1 * r1 * np.arccos(a1) + r2 * r2 * np.arccos(a2)
            - 0.5 * np.sqrt(np.clip((-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2), 0.0, None)))
    small = np.minimum(r1, r2)
    return np.where(d >= r1 + r2, 0.0, np.where(d <= np.abs(r1 - r2), np.pi * small * small, lens))


def _binary_flux(phase, geometry, w):
    """Flux of binaries at ``phase`` (n_stars, n_points), in units of both discs' unobscured flux."""
    r1, r2, incl = (geometry[k][:, None] for k in ("r1", "r2", "incl"))
    j = geometry["J"][:, None] ** (1.0 + 0.5 * w)  # the cooler star is relatively fainter in the blue
    angle = 2.0 * np.pi * phase
    d = np.sqrt(np.sin(angle) ** 2 + (np.cos(incl) * np.cos(angle)) ** 2)
    # Ellipsoidal variation: each star shows its smallest cross-section at conjunction (phases 0 and 0.5).
    stretch = 1.2 * np.sin(incl) ** 2 * np.cos(2.0 * angle)
    brightness1, brightness2 = 1.0 - stretch * r1 ** 3, j * (1.0 - stretch * r2 ** 3)
    # Phase 0: star 1 (the brighter per unit area) behind star 2; phase 0.5 the other way round.
    behind = np.where(np.cos(angle) > 0, brightness1, brightness2)
    flux = np.pi * (brightness1 * r1 * r1 + brightness2 * r2 * r2) - _overlap(r1, r2, d) * behind
    return flux / (np.pi * (r1 * r1 + j * r2 * r2))


def _binary_magnitudes(phase, geometry, w):
    """Magnitude change of binaries at ``phase`` (n_stars, n_points): 0 at maximum light, fainter > 0."""
    brightest = _binary_flux(_GRID[None, :], geometry, w).max(axis=1, keepdims=True)
    return -2.5 * np.log10(_binary_flux(phase, geometry, w) / brightest)


def _describe(n_stars, names, per_class, survey, n_donors):
    counts = ", ".join(f"{name} {count}" for name, count in zip(names, per_class))
    return ("Simulated survey grounded in real parameters (astro_cyclic.datasets.simulate_survey).\n"
            f"{n_stars} stars: {counts}.\n"
            "Pulsators and long-period variables: parameters of random OGLE-III catalogue stars of the class; "
            "eclipsing binaries: MACHO eclipsing-binary periods and a two-sphere eclipse model.\n"
            f"Cadences, bands and error-magnitude relation: {survey} ({n_donors} light curves).")

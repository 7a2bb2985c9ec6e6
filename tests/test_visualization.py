"""Tests of astro_cyclic.visualization: every figure renders, into a given Axes or a new figure,
draws the numbers it is given, and refuses bad input with a clear message."""

import ast
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.dummy import DummyClassifier  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402

from astro_cyclic import CyclicClassifier, PeriodSearch, StarLightCurve, find_period  # noqa: E402
from astro_cyclic import visualization  # noqa: E402
from astro_cyclic.datasets import make_periodic_variables  # noqa: E402
from astro_cyclic.preprocess import fold_segment, segment_bounds  # noqa: E402
from astro_cyclic.visualization import (  # noqa: E402
    PERIODOGRAM_ALIASES,
    invariance_curves,
    plot_classification,
    plot_confusion_matrix,
    plot_folded,
    plot_invariance,
    plot_periodogram,
    plot_segment,
    plot_training_curves,
)

PERIOD = 0.5672


@pytest.fixture(autouse=True)
def _close_figures():
    """pyplot keeps every figure; more than 20 open warn, and warnings are errors here."""
    yield
    plt.close("all")


@pytest.fixture
def light_curve():
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 300, 450))
    mag = 15 + 0.4 * np.sin(2 * np.pi * t / PERIOD) + rng.normal(0, 0.05, t.size)
    return StarLightCurve(t, mag, np.full(t.size, 0.05), period=PERIOD, star_id="sine-1")


@pytest.fixture(scope="module")
def fitted():
    """One small fitted network for the training-curve tests (about a second)."""
    data = make_periodic_variables(40, classes=["RRab", "EA"], n_points=(40, 80), random_state=0)
    clf = CyclicClassifier(module__hidden=4, module__depth=2, max_epochs=3, random_state=0)
    return clf.fit(data.light_curves, data.target)


def _new_ax(n=1):
    _, axes = plt.subplots(n, 1, squeeze=False)
    return axes[0, 0] if n == 1 else axes[:, 0]


def _points(ax):
    """The scattered points of an Axes (not the error bars)."""
    from matplotlib.collections import PathCollection

    return [c for c in ax.collections if isinstance(c, PathCollection)]


def _assert_png(fig, tmp_path):
    """The figure saves as a PNG of real size whose pixels are not all one colour."""
    path = tmp_path / "figure.png"
    fig.savefig(path, dpi=60)
    assert path.stat().st_size > 5000
    image = matplotlib.image.imread(path)[..., :3]
    assert image.std() > 0.05
    assert np.mean(image.min(axis=-1) < 0.5) > 0.005  # some dark ink, not a white page


def _layout_problems(fig):
    """What a reader would see as broken: a panel (with its title, labels, ticks and legend) reaching
    outside the figure, or two panels' boxes overlapping (a title over the x-label above it)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes if ax.get_visible()]
    texts = [t.get_window_extent(renderer) for t in fig.texts if t.get_text()]  # the suptitle
    found = [f"clipped: {box.bounds}" for box in boxes + texts
             if box.x0 < -0.5 or box.y0 < -0.5 or box.x1 > width + 0.5 or box.y1 > height + 0.5]
    found += [f"overlap: {a} and {b}" for a, b in _overlaps(boxes + texts)]
    # Inside each panel: its title, axis labels, tick labels, legend entries and annotations, each readable.
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        legend = ax.get_legend()
        pieces = [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label,
                  *_drawn_tick_labels(ax.get_xticklabels(which="both"), ax.get_xlim(), 0),
                  *_drawn_tick_labels(ax.get_yticklabels(which="both"), ax.get_ylim(), 1), *ax.texts,
                  *([] if legend is None else legend.get_texts())]
        extents = [(t.get_text(), t.get_window_extent(renderer)) for t in pieces if t.get_visible() and t.get_text()]
        found += [f"text overlap in a panel: {a!r} and {b!r}"
                  for a, b in _overlaps([box for _, box in extents], labels=[text for text, _ in extents])]
    return found


def _drawn_tick_labels(labels, limits, coordinate):
    """The tick labels inside the axis's view limits: matplotlib lists others, which it does not draw."""
    low, high = sorted(limits)
    span = high - low
    return [label for label in labels if low - 1e-9 * span <= label.get_position()[coordinate] <= high + 1e-9 * span]


def _overlaps(boxes, labels=None):
    """Pairs of boxes that share more than a pixel each way (their labels, or a description of the boxes)."""
    labels = labels or [f"box {box.bounds}" for box in boxes]
    return [(labels[i], labels[j])
            for i, a in enumerate(boxes) for j, b in enumerate(boxes[i + 1:], i + 1)
            if min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and min(a.y1, b.y1) - max(a.y0, b.y0) > 1]


def test_every_figure_made_standalone_has_nothing_clipped_or_overlapping(light_curve, fitted):
    """Before the layout engine: plot_segment's and plot_invariance's titles sat on the x-label above, the
    confusion matrix's class names and the training curves' labels fell outside the figure."""
    long_names = ["RR Lyrae", "Eclipsing binary", "Cepheid"]
    draws = {
        "folded": lambda: plot_folded(light_curve),
        "segment": lambda: plot_segment(light_curve),
        "periodogram": lambda: plot_periodogram(light_curve),
        "periodogram-period": lambda: plot_periodogram(light_curve, axis="period", candidates=True),
        "confusion": lambda: plot_confusion_matrix(long_names * 3, long_names[::-1] * 3),
        "invariance": lambda: plot_invariance(),
        "training": lambda: plot_training_curves(fitted),
        "classification": lambda: plot_classification(fitted, light_curve),
    }
    for name, draw in draws.items():
        out = draw()
        fig = (out[0] if isinstance(out, np.ndarray) else out).figure
        assert _layout_problems(fig) == [], name
        plt.close(fig)


def test_the_layout_check_sees_a_clipped_label():
    fig, ax = plt.subplots()
    ax.set_ylabel("a label")
    fig.subplots_adjust(left=0.0)
    assert any(problem.startswith("clipped") for problem in _layout_problems(fig))


def test_the_layout_check_sees_text_over_text_in_one_panel():
    fig, ax = plt.subplots(layout="constrained")
    ax.text(0.5, 0.5, "candidate 0.61 d", transform=ax.transAxes)
    assert _layout_problems(fig) == []
    ax.text(0.52, 0.5, "alias 1.55 d", transform=ax.transAxes)
    assert _layout_problems(fig) == ["text overlap in a panel: 'candidate 0.61 d' and 'alias 1.55 d'"]
    plt.close(fig)


def test_plot_classification_shows_the_fold_the_answer_and_the_candidates(fitted):
    data = make_periodic_variables(6, classes=["RRab", "EA"], n_points=(60, 80), random_state=5)
    star = data.light_curves[0]
    folded, bars, periodogram = plot_classification(fitted, star)
    proba = fitted.predict_proba([star])[0]
    widths = {patch.get_y(): patch.get_width() for patch in bars.patches}
    np.testing.assert_allclose(sorted(widths.values()), np.sort(proba))
    assert folded.yaxis_inverted() and folded.get_xlim()[1] >= 2  # two cycles, magnitudes downwards
    legend = [t.get_text() for t in periodogram.get_legend().get_texts()]
    assert periodogram.get_xscale() == "log" and "catalogue P" in legend
    assert folded.figure._suptitle.get_text().startswith(f"{star.star_id}: {fitted.classes_[proba.argmax()]}")
    searched = plot_classification(fitted, star.with_period(None))[0]
    assert "(search)" in searched.get_title()
    with pytest.raises(NotFittedError):
        plot_classification(CyclicClassifier(), star)


def test_plot_folded_draws_error_bars_unless_asked_not_to(light_curve):
    from matplotlib.collections import LineCollection

    ax = plot_folded(light_curve)
    bars = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(bars) == 2 and len(bars[0].get_segments()) == len(light_curve)
    segment = bars[0].get_segments()[0]
    assert segment[1, 1] - segment[0, 1] == pytest.approx(2 * 0.05)
    assert not [c for c in plot_folded(light_curve, errorbars=False).collections if isinstance(c, LineCollection)]


def test_plot_periodogram_on_a_log_period_axis(light_curve):
    ax = plot_periodogram(light_curve, axis="period")
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "period (day)"
    chosen = next(line for line in ax.get_lines() if line.get_label().startswith("chosen"))
    assert chosen.get_xdata()[0] == pytest.approx(find_period(light_curve.time, light_curve.mag, light_curve.err))
    with pytest.raises(ValueError, match="axis must be one of 'frequency', 'period'; got 'time'"):
        plot_periodogram(light_curve, axis="time")


# ------------------------------------------------------------------ rendering, with and without ax
@pytest.mark.parametrize("given", [False, True], ids=["new-figure", "given-ax"])
def test_single_panel_figures_render(given, light_curve, tmp_path):
    draws = [
        lambda ax: plot_folded(light_curve, ax=ax),
        lambda ax: plot_folded(light_curve, ax=ax, segment=1, segment_length=200),
        lambda ax: plot_periodogram(light_curve, ax=ax),
        lambda ax: plot_confusion_matrix(["a", "b", "b", "c"], ["a", "b", "c", "c"], ax=ax),
    ]
    for draw in draws:
        ax = _new_ax() if given else None
        out = draw(ax)
        if given:
            assert out is ax
        _assert_png(out.figure, tmp_path)
        plt.close(out.figure)


@pytest.mark.parametrize("given", [False, True], ids=["new-figure", "given-ax"])
def test_multi_panel_figures_render(given, light_curve, fitted, tmp_path):
    draws = [(2, lambda ax: plot_segment(light_curve, segment=-1, ax=ax)),
             (2, lambda ax: plot_invariance(ax=ax)),
             (3, lambda ax: plot_training_curves(fitted, ax=ax))]
    for n, draw in draws:
        ax = _new_ax(n) if given else None
        out = draw(ax)
        assert isinstance(out, np.ndarray) and out.shape == (n,)
        if given:
            assert list(out) == list(ax)
        _assert_png(out[0].figure, tmp_path)
        plt.close(out[0].figure)


@pytest.mark.parametrize("draw, n", [(lambda lc, ax: plot_segment(lc, ax=ax), 2),
                                     (lambda lc, ax: plot_invariance(ax=ax), 2)])
def test_multi_panel_figures_refuse_wrong_number_of_axes(draw, n, light_curve):
    with pytest.raises(ValueError, match=f"draws {n} panels: ax must be a sequence of {n} matplotlib Axes, got 3"):
        draw(light_curve, _new_ax(3))
    with pytest.raises(ValueError, match="got 1 object"):
        draw(light_curve, _new_ax())


def test_single_panel_refuses_a_non_axes(light_curve):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes, got Figure"):
        plot_folded(light_curve, ax=plt.figure())


# ------------------------------------------------------------------ folded light curve and segments
def test_plot_folded_keeps_its_old_call(light_curve):
    ax = plot_folded(light_curve, 2 * PERIOD, ax=_new_ax(), cycles=1, color="r", s=2)
    assert len(_points(ax)) == 1
    assert ax.yaxis_inverted()
    assert "P = 1.1344 d" in ax.get_title()


def test_plot_folded_highlights_the_segment_the_network_sees(light_curve):
    ax = plot_folded(light_curve, segment=2, segment_length=200)
    start, stop = segment_bounds(len(light_curve), 200)[2]
    assert (start, stop) == (250, 450)  # the overlapping last segment: no point is lost
    highlighted = [c for c in ax.collections if c.get_label().startswith("segment 2")]
    assert len(highlighted) == 1
    phase = np.mod((light_curve.time - light_curve.time[0]) / PERIOD, 1.0)
    np.testing.assert_allclose(highlighted[0].get_offsets(), np.column_stack([phase, light_curve.mag])[start:stop])


def test_plot_folded_drops_sentinels_as_the_estimators_do(light_curve):
    """Regression: a 99.999 'no measurement' magnitude used to be plotted, squashing the curve."""
    mag = light_curve.mag.copy()
    mag[5] = 99.999
    ax = plot_folded(StarLightCurve(light_curve.time, mag, light_curve.err, period=PERIOD), cycles=1)
    offsets = _points(ax)[0].get_offsets()
    assert offsets.shape[0] == len(light_curve) - 1
    assert offsets[:, 1].max() < 20


def test_plot_folded_bad_input(light_curve):
    with pytest.raises(ValueError, match="no period to fold on; pass period="):
        plot_folded((light_curve.time, light_curve.mag))
    with pytest.raises(ValueError, match="period must be a positive number of days, got -1"):
        plot_folded(light_curve, -1.0)
    with pytest.raises(ValueError, match=r"has 3 segment\(s\) of up to 200 points \(indices 0 to 2\), got segment=3"):
        plot_folded(light_curve, segment=3)
    with pytest.raises(ValueError, match="segment_length == 0, must be >= 1"):
        plot_folded(light_curve, segment=0, segment_length=0)


def test_plot_segment_draws_the_network_input(light_curve):
    top, bottom = plot_segment(light_curve, segment=1, segment_length=150)
    start, stop = segment_bounds(len(light_curve), 150)[1]
    channels, _ = fold_segment(light_curve.time[start:stop], light_curve.mag[start:stop], PERIOD)
    lines = {line.get_label(): line for line in bottom.get_lines()}
    np.testing.assert_allclose(lines["magnitude, standardised (segment std)"].get_ydata(), channels[1])
    np.testing.assert_allclose(lines["phase gap to previous point (mean gaps)"].get_ydata(), channels[0])
    assert any(c.get_label().startswith("segment 1") for c in top.collections)


# ------------------------------------------------------------------ periodogram
def test_plot_periodogram_marks_the_chosen_period_and_its_aliases(light_curve):
    ax = plot_periodogram(light_curve.with_period(None))
    period = find_period(light_curve.time, light_curve.mag, light_curve.err)
    lines = ax.get_lines()
    frequency, power = lines[0].get_data()
    assert frequency.size > 1000 and np.nanmax(power) > 0.5
    chosen = [line for line in lines if line.get_label().startswith("chosen P")]
    assert len(chosen) == 1
    assert chosen[0].get_xdata()[0] == pytest.approx(1 / period)
    f = 1 / period
    for name, expected in (("P/2", [2 * f]), ("2P", [f / 2]), ("1-day", [f + 1, abs(f - 1)])):
        color = next(line.get_color() for line in lines if line.get_label() == f"alias {name}")
        xs = [line.get_xdata()[0] for line in lines if line.get_color() == color and line.get_linestyle() == ":"]
        np.testing.assert_allclose(sorted(xs), sorted(expected))
    assert not any(line.get_label().startswith("catalogue") for line in lines)


def test_plot_periodogram_marks_a_catalogue_period_and_no_aliases_on_request(light_curve):
    ax = plot_periodogram(light_curve.with_period(0.7), aliases=None,
                          period_search=PeriodSearch(max_period=10.0))
    labels = [line.get_label() for line in ax.get_lines()]
    assert "catalogue P = 0.7 d" in labels
    assert not any(label.startswith("alias") for label in labels)
    assert ax.get_xlim()[0] == pytest.approx(0.1)


def test_plot_periodogram_bad_input(light_curve):
    with pytest.raises(ValueError, match=r"unknown periodogram alias\(es\) \['P/3'\]; valid names are: P/2, 2P, 1-day"):
        plot_periodogram(light_curve, aliases=["P/2", "P/3"])
    with pytest.raises(TypeError, match="period_search must be an astro_cyclic.PeriodSearch, got dict"):
        plot_periodogram(light_curve, period_search={"nterms": 2})
    with pytest.raises(ValueError, match="star 'sine-1': need 0 < min_period < max_period"):
        plot_periodogram(light_curve, period_search=PeriodSearch(min_period=1.0, max_period=0.5))
    assert set(PERIODOGRAM_ALIASES) == {"P/2", "2P", "1-day"}


# ------------------------------------------------------------------ confusion matrix
def test_plot_confusion_matrix_counts_and_fractions():
    y_true, y_pred = ["a", "a", "a", "b"], ["a", "a", "b", "b"]
    fractions = plot_confusion_matrix(y_true, y_pred)
    assert [t.get_text() for t in fractions.texts] == ["2\n67%", "1\n33%", "0\n0%", "1\n100%"]
    np.testing.assert_allclose(fractions.images[0].get_array(), [[2 / 3, 1 / 3], [0, 1]])
    counts = plot_confusion_matrix(y_true, y_pred, normalize=False, labels=["b", "a"])
    assert [t.get_text() for t in counts.texts] == ["1", "0", "1", "2"]
    np.testing.assert_array_equal(counts.images[0].get_array(), [[1, 0], [1, 2]])


# ------------------------------------------------------------------ invariance (the paper's Figure 1)
def test_invariance_curves_itcn_is_flat_and_tcn_is_not():
    curves = invariance_curves()
    assert curves.receptive_field == 30 and curves.shift.size == 60
    assert np.ptp(curves.itcn) < 1e-5
    assert np.ptp(curves.tcn) > 1e-2
    # Equal weights: the feature maps agree wherever the TCN's zero padding is out of reach.
    np.testing.assert_allclose(curves.tcn_features[30:], curves.itcn_features[30:], atol=1e-12)
    assert np.abs(curves.tcn_features[:30] - curves.itcn_features[:30]).max() > 1e-3


def test_invariance_curves_leave_torch_random_state_alone():
    import torch

    state = torch.random.get_rng_state()
    first = invariance_curves(random_state=3, length=40, hidden=4)
    assert torch.equal(state, torch.random.get_rng_state())
    np.testing.assert_array_equal(first.tcn, invariance_curves(random_state=3, length=40, hidden=4).tcn)
    with pytest.raises(ValueError, match="length == 1, must be >= 2"):
        invariance_curves(length=1)
    with pytest.raises(ValueError, match="n_cycles == 0, must be > 0"):
        invariance_curves(n_cycles=0)


def test_plot_invariance_plots_a_flat_itcn_and_a_varying_tcn():
    _, outputs = plot_invariance()
    lines = {line.get_label(): line.get_ydata() for line in outputs.get_lines()}
    assert np.ptp(lines["iTCN"]) < 1e-5
    assert np.ptp(lines["TCN"]) > 1e-2


# ------------------------------------------------------------------ training curves
def test_plot_training_curves_from_a_fitted_classifier(fitted):
    loss, accuracy, lr = plot_training_curves(fitted)
    history = fitted.history_
    lines = {line.get_label(): line for line in loss.get_lines()}
    np.testing.assert_allclose(lines["training (per segment)"].get_ydata(), [r["train_loss"] for r in history])
    np.testing.assert_allclose(lines["validation (per star)"].get_ydata(), [r["val_loss"] for r in history])
    np.testing.assert_allclose(accuracy.get_lines()[0].get_ydata(), [100 * r["val_accuracy"] for r in history])
    np.testing.assert_allclose(lr.get_lines()[0].get_ydata(), [r["lr"] for r in history])
    best = lines[f"best epoch ({fitted.best_epoch_})"]
    assert best.get_xdata()[0] == fitted.best_epoch_


def test_plot_training_curves_from_a_history_without_validation():
    history = [{"epoch": k, "train_loss": 1.0 / (k + 1), "lr": 0.005 if k < 3 else 0.0005} for k in range(5)]
    loss, accuracy, lr = plot_training_curves(history, best_epoch=4)
    assert [t.get_text() for t in accuracy.texts] == ["no validation set"]
    assert [line.get_label() for line in loss.get_lines()] == ["training (per segment)", "best epoch (4)"]
    assert lr.get_yscale() == "log"


def test_plot_training_curves_bad_input():
    with pytest.raises(NotFittedError):
        plot_training_curves(CyclicClassifier())
    with pytest.raises(ValueError, match="expected a fitted CyclicClassifier, or its history_"):
        plot_training_curves([])
    with pytest.raises(ValueError, match="got DummyClassifier"):
        plot_training_curves(DummyClassifier())


# ------------------------------------------------------------------ the module itself
def test_public_names_and_no_matplotlib_at_import():
    for name in visualization.__all__:
        assert callable(getattr(visualization, name)) or name == "PERIODOGRAM_ALIASES"
    # matplotlib is imported inside the functions only: importing the module picks no backend.
    # (Checked on the source: in this process the tests have imported matplotlib already.)
    tree = ast.parse(Path(visualization.__file__).read_text())
    top_level = [alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names]
    top_level += [node.module or "" for node in tree.body if isinstance(node, ast.ImportFrom)]
    assert top_level and not [name for name in top_level if name.startswith("matplotlib")]


def test_plot_folded_draws_each_band_in_its_colour():
    data = make_periodic_variables(1, classes=["RRab"], n_points=80, bands=("g", "r"), random_state=0)
    ax = plot_folded(data.light_curves[0], cycles=1)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["g", "r"]
    points = _points(ax)
    assert sum(len(c.get_offsets()) for c in points) == 80
    assert points[0].get_facecolor()[0].tolist() != points[1].get_facecolor()[0].tolist()

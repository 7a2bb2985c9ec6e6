"""Measure the cost of every stage of prediction, and the networks' throughput.

Run from the repository root::

    python benchmarks/performance.py [--quick]

What it measures, on this machine, with torch and BLAS limited to the thread
counts stated:

* the per-star cost of each stage of ``CyclicClassifier.predict`` for light
  curves of 200 and 1,000 points: cleaning, period search, folding and
  segmenting, building the network's input tensors, network forward;
* the period search alone: 1,000-point stars over a 200,000-frequency grid,
  one thread: the periodogram through astropy's ``"fastnifty"`` (nifty-ls
  builds its FINUFFT plans per star) beside the same periodogram with plans
  kept between stars, and the whole search (periodogram, harmonic refit of the
  highest peaks, doubling test) with nifty-ls and with astropy's ``"fast"``;
* iTCN (kernel 5, depth 7, hidden 24, L = 200, the paper's configuration)
  and iResNet inference (batch 128) and training-step (batch 32) throughput,
  one and two threads, next to a faithful re-implementation of the paper's
  public iTCN (padding by repeated concatenation, hook-based weight
  normalisation recomputed at every call, head of 32) measured in the same
  run, and each inference optimisation on its own;
* end-to-end ``predict_proba`` throughput with and without known periods;
* peak memory of streaming predictions (``iter_predict_proba`` over a
  generator) for 10,000 and 100,000 stars, each in a fresh subprocess;
* with ``--compile``, torch.compile of the iTCN (about a minute to compile).

Results go to ``benchmarks/results/performance.json`` and ``.md`` with the
machine, versions, git commit and load averages. Not part of the test suite.
"""

import os

# Thread counts are set per measurement; BLAS stays on one thread (set before numpy loads it).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from astropy.timeseries import LombScargle  # noqa: E402
from torch import nn  # noqa: E402

import astro_cyclic  # noqa: E402
from astro_cyclic import CyclicClassifier, StarLightCurve, clean_light_curve  # noqa: E402
from astro_cyclic._periodogram import nifty_power  # noqa: E402
from astro_cyclic.nn._training import _stack, segment_log_proba  # noqa: E402
from harness import describe_machine  # noqa: E402
from astro_cyclic.datasets import make_periodic_variables  # noqa: E402
from astro_cyclic.nn import ITCN, IResNet  # noqa: E402
from astro_cyclic.nn import layers as nn_layers  # noqa: E402
from astro_cyclic.period import PeriodSearch, find_period, frequency_grid, validate_period_method  # noqa: E402
from astro_cyclic.preprocess import segment_light_curves  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
CLASSES = ["RRab", "RRc", "EA", "EW", "Cepheid"]
ITCN_CONFIG = dict(kernel_size=5, depth=7, hidden=24, dropout=0.0)
IRESNET_CONFIG = dict(kernel_size=5, depth=4, hidden=16, max_hidden=64, dropout=0.0, pooling="aps")


# --------------------------------------------------------------------------- machine
def _machine():
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True,
                                    check=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = None, None
    import importlib.metadata as md

    versions = {"python": platform.python_version(), "astro_cyclic": astro_cyclic.__version__}
    for name in ("torch", "numpy", "scipy", "astropy", "nifty-ls"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = None
    return describe_machine() | {"torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
                                 "git_commit": commit, "working_tree_modified": dirty, "versions": versions}


def _best_time(fn, *, repeats, number, warmup=2):
    """Best over ``repeats`` of the mean time of ``number`` calls (seconds): the least disturbed run."""
    for _ in range(warmup):
        fn()
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


# --------------------------------------------------------------- reference network
class _RefWrap(nn.Module):
    """Symmetry padding of the paper's public code: concatenate the sequence n times plus a slice."""

    def __init__(self, wrap_length):
        super().__init__()
        self.wrap_length = wrap_length

    def forward(self, x):
        n = int(self.wrap_length / x.shape[2]) + 1
        mod = self.wrap_length % x.shape[2]
        if mod == 0:
            return torch.cat([x] * n, dim=2)
        return torch.cat([x[:, :, -mod:]] + [x] * n, dim=2)


class _RefBlock(nn.Module):
    def __init__(self, n_in, n_out, dilation, kernel_size):
        super().__init__()
        layers = []
        for i in range(2):
            with warnings.catch_warnings():
                # Deprecated in favour of the parametrisation, but it is what the reference used.
                warnings.simplefilter("ignore", FutureWarning)
                conv = torch.nn.utils.weight_norm(nn.Conv1d(n_in if i == 0 else n_out, n_out, kernel_size,
                                                            dilation=dilation))
            layers += [_RefWrap((kernel_size - 1) * dilation), conv, nn.ReLU(), nn.Dropout(0.0)]
        self.net = nn.Sequential(*layers)
        self.downsample = nn.Conv1d(n_in, n_out, 1) if n_in != n_out else None

    def forward(self, x):
        res = x if self.downsample is None else self.downsample(x)
        return torch.relu(self.net(x) + res)


class ReferenceITCN(nn.Module):
    """The paper's public iTCN (kmzzhang/periodicnetwork, model/itcn.py), re-implemented for timing.

    Hook-based ``torch.nn.utils.weight_norm`` (the weight is recomputed at
    every forward), padding by repeated concatenation, a head of two 1x1
    convolutions (``head_hidden`` = 32 in the paper's runs), mean over positions.
    """

    def __init__(self, n_classes, *, n_inputs=2, n_aux=3, kernel_size=5, depth=7, hidden=24, head_hidden=32):
        super().__init__()
        self.blocks = nn.Sequential(*[_RefBlock(n_inputs if i == 0 else hidden, hidden, 2 ** i, kernel_size)
                                      for i in range(depth)])
        self.linear = nn.Sequential(nn.Conv1d(hidden + n_aux, head_hidden, 1), nn.Dropout(0.0), nn.ReLU(),
                                    nn.Conv1d(head_hidden, n_classes, 1))

    def forward(self, x, aux):
        feature = self.blocks(x)
        feature = torch.cat((feature, aux[:, :, None].expand(-1, -1, feature.shape[2])), dim=1)
        return self.linear(feature).mean(dim=2)


def _reference_from(ours):
    """A ReferenceITCN carrying exactly the weights of our ITCN (head of ``hidden``), to compare outputs."""
    hp = ours.hparams
    ref = ReferenceITCN(hp["n_classes"], kernel_size=hp["kernel_size"], depth=hp["depth"], hidden=hp["hidden"],
                        head_hidden=hp["hidden"])
    with torch.no_grad():
        for ref_block, block in zip(ref.blocks, ours.blocks):
            for ref_conv, conv in ((ref_block.net[1], block.conv1.conv), (ref_block.net[5], block.conv2.conv)):
                ref_conv.weight_g.copy_(conv.parametrizations.weight.original0)
                ref_conv.weight_v.copy_(conv.parametrizations.weight.original1)
                ref_conv.bias.copy_(conv.bias)
            if block.skip is not None:
                ref_block.downsample.load_state_dict(block.skip.state_dict())
        ref.linear[0].load_state_dict(ours.head.conv1.state_dict())
        ref.linear[3].load_state_dict(ours.head.conv2.state_dict())
    return ref


def _gather_pad(x, left, right):
    """The package's symmetry padding before this benchmark: gather positions modulo N."""
    index = torch.arange(-left, x.shape[-1] + right, device=x.device) % x.shape[-1]
    return x.index_select(-1, index)


class _patched_pad:
    """Temporarily use another circular padding in the package's layers."""

    def __init__(self, fn):
        self.fn = fn

    def __enter__(self):
        self.saved = nn_layers.circular_pad
        nn_layers.circular_pad = self.fn

    def __exit__(self, *exc):
        nn_layers.circular_pad = self.saved


# ------------------------------------------------------------------ network speed
def network_benchmarks(quick, compile_too=False):
    repeats, number = (3, 5) if quick else (3, 10)
    torch.manual_seed(0)
    x128, aux128 = torch.randn(128, 2, 200), torch.randn(128, 3)
    x32, aux32, y32 = x128[:32].clone(), aux128[:32].clone(), torch.randint(0, 5, (32,))
    out = {"config": {"itcn": {**ITCN_CONFIG, "segment_length": 200, "n_classes": 5, "n_aux": 3},
                      "iresnet": {**IRESNET_CONFIG, "segment_length": 200, "n_classes": 5, "n_aux": 3},
                      "reference_itcn": "kmzzhang/periodicnetwork model/itcn.py re-implemented: same "
                                        "blocks, head hidden 32"},
           "inference_batch": 128, "train_batch": 32}

    def seq_per_s(fn, batch):
        return batch / _best_time(fn, repeats=repeats, number=number)

    def train_step_fn(net):
        net.train()
        opt = torch.optim.Adam(net.parameters(), lr=0.005)

        def step():
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(net(x32, aux32), y32).backward()
            opt.step()
        return step

    # Equal outputs: our optimised inference against the reference forward with the same weights.
    ours = ITCN(5, **ITCN_CONFIG).eval()
    same_weights = _reference_from(ours).eval()
    with torch.no_grad():
        reference_out = same_weights(x128, aux128)
    with torch.inference_mode(), torch.nn.utils.parametrize.cached():
        fast_out = ours(x128, aux128)
    out["itcn_max_abs_difference_vs_reference_forward"] = float((fast_out - reference_out).abs().max())

    pad_x = torch.randn(128, 24, 200)
    with torch.inference_mode():
        out["padding_ms_per_call_batch128_24ch_pad256"] = {
            "gather_index_select": 1e3 * _best_time(lambda: _gather_pad(pad_x, 256, 0), repeats=repeats,
                                                    number=number),
            "concatenation": 1e3 * _best_time(lambda: nn_layers.circular_pad(pad_x, 256, 0), repeats=repeats,
                                              number=number)}

    rows = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        ref = ReferenceITCN(5).eval()
        net = ITCN(5, **ITCN_CONFIG).eval()
        # A fresh network, not a deepcopy: a copy shares the parametrised class, and removing
        # the parametrisation from the copy would strip the original too.
        stripped = ITCN(5, **ITCN_CONFIG).eval()
        stripped.load_state_dict(net.state_dict())
        for module in stripped.modules():
            if isinstance(module, nn.Conv1d) and hasattr(module, "parametrizations"):
                torch.nn.utils.parametrize.remove_parametrizations(module, "weight")
        row = {}
        with torch.no_grad():
            row["reference_itcn_no_grad"] = seq_per_s(lambda: ref(x128, aux128), 128)
            with _patched_pad(_gather_pad):
                row["itcn_gather_padding_no_grad"] = seq_per_s(lambda: net(x128, aux128), 128)
            row["itcn_no_grad"] = seq_per_s(lambda: net(x128, aux128), 128)
        with torch.inference_mode():
            row["itcn_inference_mode"] = seq_per_s(lambda: net(x128, aux128), 128)
            with torch.nn.utils.parametrize.cached():
                row["itcn_inference_mode_cached_weights"] = seq_per_s(lambda: net(x128, aux128), 128)
            row["itcn_weight_norm_removed"] = seq_per_s(lambda: stripped(x128, aux128), 128)
            for batch in (32, 256, 512):
                xb, ab = torch.randn(batch, 2, 200), torch.randn(batch, 3)
                with torch.nn.utils.parametrize.cached():
                    row[f"itcn_inference_mode_cached_weights_batch{batch}"] = seq_per_s(lambda: net(xb, ab), batch)
            resnet = IResNet(5, **IRESNET_CONFIG).eval()
            with torch.nn.utils.parametrize.cached():
                row["iresnet_inference_mode_cached_weights"] = seq_per_s(lambda: resnet(x128, aux128), 128)
        row["reference_itcn_train_step"] = seq_per_s(train_step_fn(ReferenceITCN(5)), 32)
        with _patched_pad(_gather_pad):
            row["itcn_gather_padding_train_step"] = seq_per_s(train_step_fn(ITCN(5, **ITCN_CONFIG)), 32)
        row["itcn_train_step"] = seq_per_s(train_step_fn(ITCN(5, **ITCN_CONFIG)), 32)
        row["iresnet_train_step"] = seq_per_s(train_step_fn(IResNet(5, **IRESNET_CONFIG)), 32)
        rows[f"{threads}_thread" + ("s" if threads > 1 else "")] = row
    out["sequences_per_second"] = rows

    if compile_too:
        torch.set_num_threads(1)
        net = ITCN(5, **ITCN_CONFIG).eval()
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compiled = torch.compile(net, dynamic=False)
            with torch.inference_mode():
                compiled(x128, aux128)
                compile_s = time.perf_counter() - start
                out["torch_compile"] = {"compile_seconds": compile_s,
                                        "itcn_seq_per_s": seq_per_s(lambda: compiled(x128, aux128), 128),
                                        "eager_seq_per_s_same_moment": seq_per_s(lambda: net(x128, aux128), 128)}
    torch.set_num_threads(1)
    return out


# ----------------------------------------------------------------- predict stages
def _fitted_classifier(n_points):
    data = make_periodic_variables(60, classes=CLASSES, n_points=n_points, random_state=0)
    network = {f"module__{k}": v for k, v in ITCN_CONFIG.items()}
    clf = CyclicClassifier("itcn", **network, max_epochs=1, train_split=None, random_state=0, device="cpu")
    return clf.fit(data.light_curves, data.target)


def stage_benchmarks(quick):
    torch.set_num_threads(1)
    out = {}
    n_stars = 300 if quick else 1000
    n_search = 20 if quick else 50
    for n_points in (200, 1000):
        clf = _fitted_classifier(n_points)
        data = make_periodic_variables(n_stars, classes=CLASSES, n_points=n_points, random_state=1)
        raw = data.light_curves
        row = {"n_stars": n_stars}

        def per_star(fn, n):
            return 1e6 * _best_time(fn, repeats=3, number=1, warmup=1) / n

        row["cleaning_us"] = per_star(lambda: [clean_light_curve(lc) for lc in raw], n_stars)
        clean = [clean_light_curve(lc) for lc in raw]
        search = PeriodSearch()
        row["period_search_us"] = per_star(lambda: [search(lc) for lc in clean[:n_search]], n_search)
        periods = np.array([lc.period for lc in clean])
        row["folding_segmenting_us"] = per_star(lambda: segment_light_curves(clean, periods, 200), n_stars)
        segments = clf.standardizer_.transform(segment_light_curves(clean, periods, 200))

        def tensors():
            clf.standardizer_.transform(segment_light_curves(clean, periods, 200))
            for start in range(0, len(segments), 256):
                _stack(segments, np.arange(start, min(start + 256, len(segments))), torch.device("cpu"))
        row["standardise_and_tensors_us"] = per_star(tensors, n_stars) - row["folding_segmenting_us"]
        row["segments_per_star"] = len(segments) / n_stars

        def forward():
            with torch.nn.utils.parametrize.cached():
                segment_log_proba(clf.module_, segments, device=torch.device("cpu"), batch_size=256)
        row["network_forward_us"] = per_star(forward, n_stars)
        out[f"{n_points}_points"] = row
    return out


def predict_benchmarks(quick):
    out = {}
    n_stars = 1000 if quick else 3000
    n_unknown = 30 if quick else 100
    clf = _fitted_classifier(200)
    data = make_periodic_variables(n_stars, classes=CLASSES, n_points=200, random_state=2)
    known = data.light_curves
    unknown = [StarLightCurve(lc.time, lc.mag, lc.err, star_id=lc.star_id) for lc in known[:n_unknown]]
    search = PeriodSearch()
    for threads in (1, 2):
        torch.set_num_threads(threads)
        key = f"{threads}_thread" + ("s" if threads > 1 else "")
        t_known = _best_time(lambda: clf.predict_proba(known), repeats=3, number=1, warmup=1)
        t_unknown = _best_time(lambda: clf.predict_proba(unknown), repeats=1, number=1, warmup=0)
        out[key] = {"known_periods_stars_per_s": n_stars / t_known,
                    "unknown_periods_stars_per_s": n_unknown / t_unknown}
    torch.set_num_threads(1)
    cleaned = [clean_light_curve(lc) for lc in unknown]
    t_search = _best_time(lambda: [search(lc) for lc in cleaned], repeats=1, number=1, warmup=0)
    out["period_search_only_stars_per_s"] = n_unknown / t_search
    out["n_stars_known"], out["n_stars_unknown"] = n_stars, n_unknown

    # Where the time goes, after the optimisations (known periods, 2 threads).
    torch.set_num_threads(2)
    profile = cProfile.Profile()
    profile.enable()
    clf.predict_proba(known)
    profile.disable()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(8)
    out["profile_top_tottime"] = [line.strip() for line in text.getvalue().splitlines()
                                  if line.strip() and line.strip()[0].isdigit()][:8]
    torch.set_num_threads(1)
    return out


def period_benchmarks(quick):
    n_stars = 5 if quick else 20
    data = make_periodic_variables(n_stars, classes=CLASSES, n_points=1000, random_state=3)
    clean = [clean_light_curve(lc) for lc in data.light_curves]
    n_frequencies = 200_000
    out = {"n_points": 1000, "n_frequencies": n_frequencies, "n_stars": n_stars}

    # The periodogram alone: nifty-ls through astropy (two FINUFFT plans built per star)
    # against the same computation with the plans kept between stars.
    grids = [frequency_grid(lc.time, n_frequencies=n_frequencies) for lc in clean]
    validate_period_method("fastnifty")  # imports nifty-ls, which registers "fastnifty" with astropy

    def through_astropy():
        for lc, f in zip(clean, grids):
            LombScargle(lc.time, lc.mag, lc.err).power(f, method="fastnifty", method_kwds={"nthreads": 1},
                                                       assume_regular_frequency=True)

    def reused_plans():
        for lc, f in zip(clean, grids):
            nifty_power(lc.time, lc.mag, lc.err, f[0], f[1] - f[0], f.size)

    for key, fn in (("periodogram_nifty_astropy_ms", through_astropy),
                    ("periodogram_nifty_reused_plans_ms", reused_plans)):
        out[key] = 1e3 * _best_time(fn, repeats=5, number=1, warmup=1) / n_stars
    # The whole search: periodogram, harmonic refit of the 5 highest peaks and the doubling test.
    for method in ("fastnifty", "fast"):
        stars = clean if method == "fastnifty" else clean[:max(2, n_stars // 5)]
        seconds = _best_time(lambda: [find_period(lc.time, lc.mag, lc.err, method=method,
                                                  n_frequencies=n_frequencies)
                                      for lc in stars], repeats=1 if method == "fast" else 5, number=1, warmup=1)
        out[f"{method}_ms_per_star"] = 1e3 * seconds / len(stars)
    return out


# ---------------------------------------------------------------------- streaming
_STREAM_CHILD = r"""
import resource, sys, time
import numpy as np, torch
torch.set_num_threads(1)
from astro_cyclic import CyclicClassifier, StarLightCurve
clf = CyclicClassifier.load(sys.argv[1])
n = int(sys.argv[2])

def stars(n):
    rng = np.random.default_rng(0)
    for i in range(n):
        t = np.sort(rng.uniform(0, 800, 200))
        period = rng.uniform(0.3, 5)
        mag = 15 + 0.5 * np.sin(2 * np.pi * t / period) + rng.normal(0, 0.02, 200)
        yield StarLightCurve(t, mag, np.full(200, 0.02), period=period)

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
count = sum(chunk.shape[0] for chunk in clf.iter_predict_proba(stars(n)))
seconds = time.perf_counter() - start
print(count, before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, seconds)
"""


def streaming_benchmarks(quick, tmpdir):
    clf = _fitted_classifier(200)
    path = Path(tmpdir) / "perf_model.pt"
    clf.save(path, overwrite=True)
    out = {}
    for n in ((2_000, 20_000) if quick else (10_000, 100_000)):
        result = subprocess.run([sys.executable, "-c", _STREAM_CHILD, str(path), str(n)], capture_output=True,
                                text=True, check=True)
        count, before, peak, seconds = result.stdout.split()
        assert int(count) == n
        out[str(n)] = {"peak_rss_mb": int(peak) / 1024, "rss_before_predicting_mb": int(before) / 1024,
                       "stars_per_s": n / float(seconds)}
    return out


# ------------------------------------------------------------------------- report
def _markdown(results):
    m, net, st, pr, pe, sm = (results[k] for k in ("machine", "networks", "stages", "predict", "period_search",
                                                   "streaming"))
    one, two = net["sequences_per_second"]["1_thread"], net["sequences_per_second"]["2_threads"]
    lines = [
        "# Performance of astro_cyclic (benchmarks/performance.py)", "",
        f"Machine: {m['cpu']}, {m['cpu_count']} cores ({m['torch_cpu_capability']}), {m['platform']}; "
        f"torch {m['versions']['torch']}, numpy {m['versions']['numpy']}, nifty-ls {m['versions']['nifty-ls']}; "
        f"git {m['git_commit']}{' (modified tree)' if m['working_tree_modified'] else ''}. "
        f"Load average (1, 5, 15 min) at start {results['load_average_start']}, at end "
        f"{results['load_average_end']}: the machine is shared, so every figure is the best of several "
        f"repeats and ratios are taken within this one run. {'QUICK run.' if results['quick'] else ''}", "",
        "## Networks (sequences per second, L = 200)", "",
        "iTCN: kernel 5, depth 7, hidden 24; iResNet: kernel 5, depth 4, hidden 16-64, APS pooling. "
        "Reference: the paper's public iTCN re-implemented (concatenation padding, hook weight norm, head 32).",
        "",
        "| network / variant | 1 thread | 2 threads |", "|---|---:|---:|"]
    for key in one:
        lines.append(f"| {key} | {one[key]:,.0f} | {two[key]:,.0f} |")
    pad = net["padding_ms_per_call_batch128_24ch_pad256"]
    lines += ["", f"Optimised iTCN inference vs the reference forward with the same weights: max |difference| "
              f"{net['itcn_max_abs_difference_vs_reference_forward']:.1e}.",
              f"Padding (128 x 24 x 200, pad 256): gather {pad['gather_index_select']:.2f} ms, "
              f"concatenation {pad['concatenation']:.2f} ms per call."]
    if "torch_compile" in net:
        tc = net["torch_compile"]
        lines.append(f"torch.compile (1 thread): {tc['itcn_seq_per_s']:,.0f} seq/s vs eager "
                     f"{tc['eager_seq_per_s_same_moment']:,.0f} at the same moment, after "
                     f"{tc['compile_seconds']:.0f} s of compilation: not used.")
    lines += ["", "## Stages of predict (microseconds per star, 1 thread)", "",
              "| stage | 200 points | 1,000 points |", "|---|---:|---:|"]
    for key in ("cleaning_us", "period_search_us", "folding_segmenting_us", "standardise_and_tensors_us",
                "network_forward_us", "segments_per_star"):
        a, b = st["200_points"][key], st["1000_points"][key]
        lines.append(f"| {key} | {a:,.1f} | {b:,.1f} |")
    lines += ["", "## Period search (1,000 points, 200,000 frequencies, 1 thread)", "",
              "| computation | ms per star |", "|---|---:|",
              f"| periodogram, nifty-ls through astropy (plans built per star) | "
              f"{pe['periodogram_nifty_astropy_ms']:.1f} |",
              "| periodogram, nifty-ls with plans kept between stars | "
              f"{pe['periodogram_nifty_reused_plans_ms']:.1f} |",
              f"| whole search (5 peaks refitted, doubling test), nifty-ls | {pe['fastnifty_ms_per_star']:.1f} |",
              f"| whole search, astropy 'fast' | {pe['fast_ms_per_star']:.0f} |", "",
              "## End-to-end predict_proba (200-point stars, stars per second)", "",
              "| | 1 thread | 2 threads |", "|---|---:|---:|",
              f"| known periods | {pr['1_thread']['known_periods_stars_per_s']:,.0f} | "
              f"{pr['2_threads']['known_periods_stars_per_s']:,.0f} |",
              f"| unknown periods | {pr['1_thread']['unknown_periods_stars_per_s']:,.1f} | "
              f"{pr['2_threads']['unknown_periods_stars_per_s']:,.1f} |",
              f"| period search alone | {pr['period_search_only_stars_per_s']:,.1f} | |", "",
              "Top of the cProfile of predict_proba (known periods, 2 threads):", "", "```",
              *pr["profile_top_tottime"], "```", "",
              "## Streaming (iter_predict_proba over a generator, 200-point stars, 1 thread)", "",
              "| stars | peak RSS (MB) | RSS before predicting (MB) | stars/s |", "|---:|---:|---:|---:|"]
    for n, row in sm.items():
        lines.append(f"| {int(n):,} | {row['peak_rss_mb']:.0f} | {row['rss_before_predicting_mb']:.0f} | "
                     f"{row['stars_per_s']:,.0f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer stars and repeats (a few minutes)")
    parser.add_argument("--compile", action="store_true", help="also time torch.compile (a minute to compile)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="folder for performance.json and .md")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    import tempfile

    results = {"quick": args.quick, "machine": _machine(), "load_average_start": list(os.getloadavg())}
    for name, fn in (("period_search", period_benchmarks),
                     ("networks", lambda quick: network_benchmarks(quick, args.compile)),
                     ("stages", stage_benchmarks), ("predict", predict_benchmarks)):
        start = time.perf_counter()
        results[name] = fn(args.quick)
        print(f"{name}: {time.perf_counter() - start:.0f} s", flush=True)
    with tempfile.TemporaryDirectory() as tmpdir:
        results["streaming"] = streaming_benchmarks(args.quick, tmpdir)
    results["load_average_end"] = list(os.getloadavg())
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "performance.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.output / "performance.md").write_text(_markdown(results))
    print(_markdown(results))


if __name__ == "__main__":
    main()

"""Run the benchmark protocol of Zhang & Bloom (2020), Table 1, from the repository root.

A thin wrapper of ``astro-cyclic benchmark`` (same options, same code)::

    python benchmarks/paper_protocol.py --dataset eros1 [--data-home DATA]
    python benchmarks/paper_protocol.py --dataset asas --models itcn,rf --n-splits 8
    python benchmarks/paper_protocol.py --help

Every model (default: itcn, iresnet, tcn, resnet, gru, lstm and the Richards
random forest) is trained and tested on the same 8 stratified 60/20/20
per-star splits; results go to ``benchmarks/results/benchmark_<dataset>.json``,
``.md`` and ``_confusion.png``. The full protocol takes many hours on a
2-core CPU; see ``--help`` for an estimate and how to time a small run first.
Not part of the test suite.
"""

import sys

from astro_cyclic.cli import main

if __name__ == "__main__":
    sys.exit(main(["benchmark", *sys.argv[1:]]))

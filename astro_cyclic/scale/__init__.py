"""Scale-out on existing engines: dask for catalogues, torch DistributedDataParallel for training.

Dask (install ``astro_cyclic[dask]``)
    :func:`predict_bag`, :func:`predict_dataframe`, :func:`transform_bag` and
    :func:`transform_dataframe` classify, or compute the features of, the
    light curves of a ``dask.bag`` or a ``dask.dataframe`` (long or nested
    :data:`LAYOUTS`) with a fitted :class:`~astro_cyclic.CyclicClassifier`,
    :class:`~astro_cyclic.RichardsForestClassifier` or
    :class:`~astro_cyclic.RichardsFeatures`, sending the fitted model once per
    worker, and return dask collections.

Training on several processes
    ``CyclicClassifier(distributed=True)`` trains with
    `~torch.nn.parallel.DistributedDataParallel` inside processes started by
    ``torchrun`` (:class:`DataParallel`, :func:`resolve_distributed`);
    ``torchrun --nproc-per-node 2 -m astro_cyclic.cli fit ... --distributed``
    trains on light-curve files from the command line.

Importing this module does not import dask; the dask functions load it on
first use.
"""

# The training side lives beside the networks (astro_cyclic.nn._ddp); it is public here, with the rest of the
# scale-out tools.
from ..nn._ddp import BACKENDS, DISTRIBUTED_MODES, DataParallel, resolve_distributed, validate_distributed

_DASK_NAMES = ("LAYOUTS", "predict_bag", "predict_dataframe", "transform_bag", "transform_dataframe",
               "validate_layout")

__all__ = ["BACKENDS", "DISTRIBUTED_MODES", "DataParallel", "resolve_distributed", "validate_distributed",
           *_DASK_NAMES]


def __getattr__(name):
    # Lazy, so that `import astro_cyclic` (which uses the training part) and the torchrun entry
    # point neither need dask nor pay for importing it.
    if name in _DASK_NAMES:
        try:
            from . import _dask
        except ImportError as exc:
            raise ImportError(f"astro_cyclic.scale.{name} needs dask[dataframe] (and distributed for clusters): "
                              "pip install 'astro_cyclic[dask]'") from exc
        return getattr(_dask, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)

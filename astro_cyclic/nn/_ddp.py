"""Data-parallel training of the networks over ``torch.distributed`` processes.

Every process (rank) holds the whole training set and draws the same batches
from the same seed; each takes its share of every batch, and
`~torch.nn.parallel.DistributedDataParallel` averages the gradients, so that
all ranks keep identical weights. The processes are normally started by
``torchrun``, which sets the environment variables read here.

References
----------
.. [1] Li, S., Zhao, Y., Varma, R., et al. 2020, "PyTorch Distributed: Experiences on
   Accelerating Data Parallel Training", Proc. VLDB Endow. 13, 3005; arXiv:2006.15704.
"""

import os

import numpy as np
import torch
import torch.distributed as dist

from .._validation import validate_option

__all__ = ["BACKENDS", "DISTRIBUTED_MODES", "DataParallel", "resolve_distributed", "validate_distributed"]

#: Values of ``CyclicClassifier(distributed=...)``.
DISTRIBUTED_MODES = (False, True, "auto")
#: torch.distributed backend for each device type: gloo runs on CPUs, NCCL between GPUs.
BACKENDS = {"cpu": "gloo", "cuda": "nccl"}
# What torchrun (torch.distributed.run) sets in every process it starts; the
# env:// rendezvous of init_process_group needs all of them.
_TORCHRUN_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


def validate_distributed(value):
    """Return ``value`` as one of :data:`DISTRIBUTED_MODES`.

    Parameters
    ----------
    value : bool or str
        ``False``, ``True`` or ``"auto"`` (case-insensitive).

    Raises
    ------
    ValueError
        Naming the valid values.

    Examples
    --------
    >>> validate_distributed("AUTO")
    'auto'
    >>> validate_distributed(1)
    Traceback (most recent call last):
    ...
    ValueError: distributed must be one of False, True, 'auto'; got 1
    """
    if isinstance(value, np.bool_):
        value = bool(value)
    return validate_option(value, DISTRIBUTED_MODES, "distributed")


def _launched_by_torchrun():
    return all(name in os.environ for name in _TORCHRUN_VARS)


class DataParallel:
    """One process's part in data-parallel training.

    Parameters
    ----------
    rank, world_size : int
        This process's index and the number of processes.
    device : torch.device
        The device this process trains on.
    """

    def __init__(self, rank, world_size, device):
        self.rank = rank
        self.world_size = world_size
        self.device = device

    def __repr__(self):
        return f"DataParallel(rank={self.rank}, world_size={self.world_size}, device={self.device})"

    def wrap(self, module):
        """``module`` inside `~torch.nn.parallel.DistributedDataParallel` (which shares its parameters)."""
        device_ids = [self.device.index] if self.device.type == "cuda" else None
        return torch.nn.parallel.DistributedDataParallel(module, device_ids=device_ids)

    def shard(self, idx):
        """This rank's share of ``idx``: every ``world_size``-th element from position ``rank``."""
        return idx[self.rank::self.world_size]

    def sum(self, value):
        """Sum of ``value`` (a number or array) over all ranks, as float64; every rank gets the same result."""
        array = np.asarray(value, dtype=np.float64)
        tensor = torch.from_numpy(array.copy()).to(self.device)  # NCCL reduces device tensors only
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
        out = tensor.cpu().numpy()
        return float(out) if out.ndim == 0 else out

    def broadcast(self, value):
        """Rank 0's integer ``value``, on every rank."""
        tensor = torch.tensor([int(value)], dtype=torch.int64, device=self.device)
        dist.broadcast(tensor, src=0)
        return int(tensor.item())


def resolve_distributed(mode, device):
    """Join the process group when ``mode`` asks for it.

    Parameters
    ----------
    mode : {False, True, "auto"}
        ``False``: train in this process alone. ``True``: train with the other
        processes of the ``torch.distributed`` process group, initialising it
        from torchrun's environment variables (``RANK``, ``WORLD_SIZE``,
        ``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``) when it is not
        initialised yet. ``"auto"``: as ``True`` when there is more than one
        process (an initialised group, or torchrun's ``WORLD_SIZE`` > 1), else
        as ``False``.
    device : torch.device
        The device asked for; a CUDA device becomes this process's GPU,
        ``cuda:LOCAL_RANK``.

    Returns
    -------
    DataParallel or None
        None when training in one process.

    Raises
    ------
    RuntimeError
        When ``mode`` is True but no process group exists and the process was
        not started by torchrun.
    """
    mode = validate_distributed(mode)
    if mode is False:
        return None
    initialised = dist.is_available() and dist.is_initialized()
    if mode == "auto":
        world = dist.get_world_size() if initialised else int(os.environ.get("WORLD_SIZE", "1"))
        if world < 2 or not (initialised or _launched_by_torchrun()):
            return None
    if not dist.is_available():
        raise RuntimeError("distributed training needs a torch built with torch.distributed")
    if device.type not in BACKENDS:
        raise ValueError(f"distributed training runs on {sorted(BACKENDS)} devices, not {device.type!r}")
    if device.type == "cuda":
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        device = torch.device("cuda", local_rank if device.index is None else device.index)
        torch.cuda.set_device(device)
    if not initialised:
        if not _launched_by_torchrun():
            missing = [name for name in _TORCHRUN_VARS if name not in os.environ]
            raise RuntimeError(
                "distributed=True needs a torch.distributed process group: start the script with "
                "'torchrun --nproc-per-node N script.py' (or call torch.distributed.init_process_group "
                f"first); the environment lacks {', '.join(missing)}")
        dist.init_process_group(backend=BACKENDS[device.type], init_method="env://")
    return DataParallel(dist.get_rank(), dist.get_world_size(), device)

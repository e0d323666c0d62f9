"""Many-to-many shortest paths on a compiled road graph (numba kernels).

Every edge weight packs two integers into one: travel time in deciseconds in the high bits and
length in decimetres in the low `LENGTH_BITS` bits. Summing packed weights sums both parts
exactly (as long as a path is shorter than 2**LENGTH_BITS dm, about 1,678 km), and comparing
them compares time first, then length: the distance reported is the length of the fastest
path, with ties broken towards the shorter one.

Each search runs Dijkstra with a binary heap over a CSR graph and stops as soon as every target
is settled. Sources run in parallel threads (numba ``prange``; ``numba.set_num_threads``).
"""

from __future__ import annotations

import numba as nb
import numpy as np
import numpy.typing as npt

__all__ = [
    "LENGTH_BITS",
    "UNREACHED",
    "back_from",
    "from_seeds",
    "many_to_many",
    "pack",
    "unpack",
]

LENGTH_BITS = 24
_LENGTH_MASK = (1 << LENGTH_BITS) - 1
UNREACHED = np.iinfo(np.int64).max
"""Packed weight of an unreached node."""

Int64Array = npt.NDArray[np.int64]


def pack(time_ds: npt.ArrayLike, length_dm: npt.ArrayLike) -> Int64Array:
    """Pack per-edge time (ds) and length (dm) into one int64 weight."""
    time_ds = np.asarray(time_ds, dtype=np.int64)
    length_dm = np.asarray(length_dm, dtype=np.int64)
    if (length_dm < 0).any() or (length_dm > _LENGTH_MASK).any() or (time_ds < 0).any():
        raise ValueError("edge time and length must be non-negative and length below 1,678 km")
    return (time_ds << LENGTH_BITS) | length_dm


def unpack(packed: Int64Array) -> tuple[Int64Array, Int64Array]:
    """Split packed path weights into time (ds) and length (dm); `UNREACHED` stays as is."""
    packed = np.asarray(packed, dtype=np.int64)
    unreached = packed == UNREACHED
    time_ds = np.where(unreached, UNREACHED, packed >> LENGTH_BITS)
    length_dm = np.where(unreached, UNREACHED, packed & _LENGTH_MASK)
    return time_ds, length_dm


@nb.njit(cache=True, nogil=True, inline="always")
def _push(heap_key: Int64Array, heap_node: Int64Array, size: int, key: int, node: int) -> int:
    """Add ``node`` with ``key`` to the binary heap of ``size`` entries; return the new size."""
    j = size
    while j > 0:
        p = (j - 1) >> 1
        if heap_key[p] > key:
            heap_key[j] = heap_key[p]
            heap_node[j] = heap_node[p]
            j = p
        else:
            break
    heap_key[j] = key
    heap_node[j] = node
    return size + 1


@nb.njit(cache=True, nogil=True)
def _search(
    indptr: Int64Array,
    heads: Int64Array,
    weights: Int64Array,
    seed_nodes: Int64Array,
    seed_keys: Int64Array,
    is_target: npt.NDArray[np.bool_],
    n_targets: int,
    best: Int64Array,
    settled: npt.NDArray[np.bool_],
    heap_key: Int64Array,
    heap_node: Int64Array,
) -> None:
    """Dijkstra from seed nodes with starting keys; stops once every target is settled."""
    best[:] = UNREACHED
    settled[:] = False
    size = 0
    for s in range(seed_nodes.size):
        v = seed_nodes[s]
        key = seed_keys[s]
        if key < best[v]:
            best[v] = key
            size = _push(heap_key, heap_node, size, key, v)
    remaining = n_targets
    while size > 0:
        key = heap_key[0]
        v = heap_node[0]
        size -= 1
        last_key, last_node = heap_key[size], heap_node[size]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= size:
                break
            if c + 1 < size and heap_key[c + 1] < heap_key[c]:
                c += 1
            if heap_key[c] < last_key:
                heap_key[i] = heap_key[c]
                heap_node[i] = heap_node[c]
                i = c
            else:
                break
        heap_key[i] = last_key
        heap_node[i] = last_node
        if settled[v]:
            continue
        settled[v] = True
        if is_target[v]:
            remaining -= 1
            if remaining == 0:
                return
        for k in range(indptr[v], indptr[v + 1]):
            u = heads[k]
            candidate = key + weights[k]
            if candidate < best[u]:
                best[u] = candidate
                size = _push(heap_key, heap_node, size, candidate, u)


_CHUNKS = 64


@nb.njit(cache=True, parallel=True, nogil=True)
def _many_to_many(
    indptr: Int64Array,
    heads: Int64Array,
    weights: Int64Array,
    sources: Int64Array,
    targets: Int64Array,
) -> Int64Array:
    n = indptr.size - 1
    out = np.empty((sources.size, targets.size), dtype=np.int64)
    is_target = np.zeros(n, dtype=np.bool_)
    is_target[targets] = True
    n_targets = int(is_target.sum())
    chunks = min(_CHUNKS, sources.size)
    for c in nb.prange(chunks):
        # Buffers once per chunk of sources, not once per source.
        best = np.empty(n, dtype=np.int64)
        settled = np.empty(n, dtype=np.bool_)
        heap_key = np.empty(heads.size + 1, dtype=np.int64)
        heap_node = np.empty(heads.size + 1, dtype=np.int64)
        seed_node = np.empty(1, dtype=np.int64)
        seed_key = np.zeros(1, dtype=np.int64)
        for i in range(c * sources.size // chunks, (c + 1) * sources.size // chunks):
            seed_node[0] = sources[i]
            _search(
                indptr, heads, weights, seed_node, seed_key, is_target, n_targets,
                best, settled, heap_key, heap_node,
            )  # fmt: skip
            for j in range(targets.size):
                out[i, j] = best[targets[j]]
    return out


@nb.njit(cache=True, nogil=True)
def _from_seeds(
    indptr: Int64Array,
    heads: Int64Array,
    weights: Int64Array,
    seed_nodes: Int64Array,
    seed_keys: Int64Array,
    targets: Int64Array,
) -> Int64Array:
    n = indptr.size - 1
    is_target = np.zeros(n, dtype=np.bool_)
    is_target[targets] = True
    best = np.empty(n, dtype=np.int64)
    settled = np.empty(n, dtype=np.bool_)
    heap_key = np.empty(heads.size + seed_nodes.size + 1, dtype=np.int64)
    heap_node = np.empty(heads.size + seed_nodes.size + 1, dtype=np.int64)
    _search(
        indptr, heads, weights, seed_nodes, seed_keys, is_target, int(is_target.sum()),
        best, settled, heap_key, heap_node,
    )  # fmt: skip
    return best[targets]


def _i64(array: npt.ArrayLike) -> Int64Array:
    return np.ascontiguousarray(array, dtype=np.int64)


def many_to_many(
    indptr: Int64Array,
    heads: Int64Array,
    weights: Int64Array,
    sources: Int64Array,
    targets: Int64Array,
) -> Int64Array:
    """Packed fastest-path weight from every source to every target (`UNREACHED` if none).

    Parameters
    ----------
    indptr, heads, weights
        The graph in CSR form; ``weights`` made by `pack`.
    sources, targets
        Node indices.
    """
    return _many_to_many(_i64(indptr), _i64(heads), _i64(weights), _i64(sources), _i64(targets))


def from_seeds(
    indptr: Int64Array,
    heads: Int64Array,
    weights: Int64Array,
    seed_nodes: Int64Array,
    seed_keys: Int64Array,
    targets: Int64Array,
) -> Int64Array:
    """Packed fastest-path weight to each target from a point that reaches ``seed_nodes`` at
    ``seed_keys`` (a point in the middle of a road reaches both of its ends)."""
    return _from_seeds(
        _i64(indptr), _i64(heads), _i64(weights), _i64(seed_nodes), _i64(seed_keys), _i64(targets)
    )


@nb.njit(cache=True, nogil=True)
def _back_from(
    r_indptr: Int64Array,
    r_tails: Int64Array,
    r_weights: Int64Array,
    best: Int64Array,
    source: int,
    target: int,
) -> Int64Array:
    empty = np.empty(0, dtype=np.int64)
    if best[target] == UNREACHED:
        return empty
    chain = np.empty(best.size + 1, dtype=np.int64)
    chain[0] = target
    k = 1
    v = target
    while v != source:
        found = -1
        for i in range(r_indptr[v], r_indptr[v + 1]):
            u = r_tails[i]
            if best[u] == UNREACHED or best[u] + r_weights[i] != best[v]:
                continue
            if r_weights[i] > 0:
                found = u
                break
            if found < 0 and (k < 2 or u != chain[k - 2]):
                found = u  # a step of no length (two places at one spot): only if no other
        if found < 0 or k > best.size:
            return empty
        chain[k] = found
        k += 1
        v = found
    return chain[:k][::-1].copy()


def back_from(
    indptr: Int64Array,
    tails: Int64Array,
    weights: Int64Array,
    best: Int64Array,
    source: int,
    target: int,
) -> Int64Array:
    """The nodes of a fastest path from ``source`` to ``target``, read backwards from a
    search's labels ``best`` (packed weights from ``source``, as `from_seeds` gives them): a step
    ``u -> v`` lies on it where ``best[u] + w == best[v]``. Empty if the target was not reached.

    Parameters
    ----------
    indptr, tails, weights
        The graph turned round (each node's incoming edges), in CSR form.
    """
    return _back_from(_i64(indptr), _i64(tails), _i64(weights), _i64(best), source, target)

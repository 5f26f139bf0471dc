"""One pkuseg CRF from two: a product of experts decoded at the cost of one model.

A linear-chain CRF scores a tag path by adding the weights of the features it
fires. Two models built with the same feature templates can therefore be added
feature by feature (weights of a feature one model lacks count as zero) into a
single model whose path scores are the weighted sum of theirs.

The shipped segmenter is such a sum: our CRF trained on People's Daily 1998
(it knows that corpus's segmentation standard) plus pkuseg's "default" model
(trained by its authors on a larger, newer, mixed corpus; it knows words 1998
never saw). The weight is 1:1, fixed before any test scoring. It was not
tuned: PD1998 dev cannot choose it, because pkuseg's default model was trained
on People's Daily and scores far too well there.

pkuseg's default model is provisioned from its registry sdist, not committed,
so the sum is built once per cache (``minsheng models fetch`` does it) in a
folder named by the sha256 of its inputs.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Sequence

import numpy as np
import srsly

from .. import assets
from ..errors import ModelError
from .segmenter import MODEL_FILES, read_weights

PRUNE_BELOW = 0.02  # features whose summed weights are all below this barely move a decision
FORMAT = 1  # bump when the merge changes, so old cached sums are not reused


def _read(model_dir: Path) -> tuple[dict, np.ndarray, np.ndarray]:
    data = srsly.read_msgpack(model_dir / "features.msgpack")
    n_tag, n_feature, w = read_weights(model_dir)
    return data, w[: n_tag * n_feature].reshape(n_feature, n_tag), w[n_tag * n_feature:]


def merge_models(members: Sequence[tuple[Path, float]], dest: Path,
                 prune_below: float = PRUNE_BELOW, weight_dtype: str = "float32",
                 compress: bool = False) -> dict[str, int]:
    """Write into *dest* the weighted sum of pkuseg models ``[(dir, weight), ...]``.

    Features keep the first member's order (its bias feature stays first), then
    each later member's new features in its own order, so the result is the
    same bytes for the same inputs. Features whose summed weights are all below
    *prune_below* in absolute value are dropped, pkuseg's training-only bigram
    set is left out, and weights are stored in *weight_dtype* (``compress`` for a
    committed copy; a cache loads faster uncompressed). Returns feature counts
    before and after pruning."""
    if not members:
        raise ModelError("merge_models needs at least one model directory.")
    parts = [_read(Path(d)) for d, _ in members]
    datas = [data for data, _, _ in parts]
    tags = datas[0]["tag_to_idx"]
    for (d, _), data in zip(members, datas):
        if data["tag_to_idx"] != tags:
            raise ModelError(f"{d} uses tags {sorted(data['tag_to_idx'])}, not {sorted(tags)}: "
                             f"only pkuseg models with the same tag set can be added.")
    index: dict[str, int] = {}
    for data in datas:
        for feature, _ in sorted(data["feature_to_idx"].items(), key=lambda kv: kv[1]):
            if feature not in index:
                index[feature] = len(index)
    n_tag = len(tags)
    node = np.zeros((len(index), n_tag))
    edge = np.zeros(n_tag * n_tag)
    for (_, weight), (data, member_node, member_edge) in zip(members, parts):
        src = np.fromiter(data["feature_to_idx"].values(), dtype=np.int64)
        dst = np.fromiter((index[f] for f in data["feature_to_idx"]), dtype=np.int64)
        node[dst] += weight * member_node[src]
        edge += weight * member_edge
    keep = np.abs(node).max(axis=1) >= prune_below
    keep[0] = True  # the bias feature every position carries
    new_index = np.cumsum(keep) - 1
    feature_to_idx = {f: int(new_index[i]) for f, i in index.items() if keep[i]}
    unigram = sorted(set().union(*(data["unigram"] for data in datas)))
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    srsly.write_msgpack(dest / "features.msgpack", {"unigram": unigram, "bigram": [],
                                                     "feature_to_idx": feature_to_idx,
                                                     "tag_to_idx": tags})
    weights = np.concatenate([node[keep].reshape(-1), edge]).astype(weight_dtype)
    save = np.savez_compressed if compress else np.savez
    save(dest / "weights.npz", sizes=np.array([n_tag, int(keep.sum())]), w=weights)
    return {"features_before": len(index), "features_after": int(keep.sum())}


def _digest(members: Sequence[tuple[Path, float]], prune_below: float) -> str:
    h = hashlib.sha256(json.dumps({"format": FORMAT, "prune_below": prune_below,
                                   "weights": [w for _, w in members]}).encode())
    for d, _ in members:
        for name in MODEL_FILES:
            h.update(assets.sha256_file(Path(d) / name).encode())
    return h.hexdigest()


def ensemble_dir(members: Sequence[tuple[Path, float]], prune_below: float = PRUNE_BELOW) -> Path:
    """The cached sum of *members* (built on first use), in a folder named by the
    sha256 of the member files, their weights and the merge format."""
    final = assets.cache_dir() / "segmenter-ensembles" / _digest(members, prune_below)[:20]
    if (final / assets.COMPLETE_MARKER).exists():
        return final
    try:
        return assets.install_dir(final, lambda tmp: merge_models(members, tmp, prune_below))
    except OSError:
        if (final / assets.COMPLETE_MARKER).exists():  # another process finished it first
            return final
        raise

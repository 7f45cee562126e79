"""A LightGBM ensemble of small trees as lookup tables: predictions and exact TreeSHAP.

LightGBM's `pred_contrib` runs the TreeSHAP recursion (arXiv:1706.06060) for every row
and every tree: about 15x the cost of a predict per row. But a tree's output and its
SHAP values depend on a row only through the side it takes at each of the tree's split
nodes (the path-dependent value function follows the row at a node whose feature is
known and averages the two children by training count otherwise). The gain model's
effect trees have at most 3 split nodes, so each has at most 8 such decision patterns:
the leaf value and the Shapley values of every pattern are computed once from the
tree's structure, and a row costs one lookup per tree (the pre-computation idea of
FastTreeSHAP, arXiv:2109.09847, taken to its end for trees this small).

Results equal `Booster.predict(x)` and `Booster.predict(x, pred_contrib=True)` to
rounding (tests/recommender/test_tree_tables.py), missing values and categorical splits
included: decisions follow LightGBM's own rules (include/LightGBM/tree.h).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import factorial

import lightgbm as lgb
import numpy as np

MAX_SPLITS = 6  # a tree with more split nodes makes `from_booster` return None
ROW_BLOCK = 1 << 15  # rows decided at a time: the split decisions stay in cache
_ZERO = float(np.float32(1e-35))  # LightGBM's kZeroThreshold (a float constant)


@dataclass(frozen=True)
class _Leaf:
    value: float
    count: float


@dataclass(frozen=True)
class _Split:
    feature: int
    threshold: float                 # numerical splits
    categories: np.ndarray | None    # categorical splits: the values that go left
    default_left: bool
    missing: str                     # "None" | "Zero" | "NaN"
    count: float
    left: _Split | _Leaf
    right: _Split | _Leaf


@dataclass(frozen=True)
class _Tree:
    splits: tuple[_Split, ...]       # bit k of a pattern: the row goes left at splits[k]
    value: np.ndarray                # [pattern] the leaf the pattern reaches
    features: tuple[int, ...]        # distinct split features
    shap: tuple[np.ndarray, ...]     # per feature: its Shapley value for each pattern
    expected: float                  # the tree's mean output over its training rows


class Columns:
    """Rows' feature columns in the forms LightGBM's decisions read, each made
    contiguous the first time a split asks for it (trees read about half the features).
    Build once and pass to several ensembles scoring the same rows."""

    def __init__(self, x: np.ndarray) -> None:
        self._x = np.asarray(x, dtype=float)
        self.n = self._x.shape[0]
        self._raw: dict[int, np.ndarray] = {}
        self._nan: dict[int, np.ndarray] = {}
        self._filled: dict[int, np.ndarray] = {}

    def raw(self, f: int) -> np.ndarray:
        if f not in self._raw:
            self._raw[f] = np.ascontiguousarray(self._x[:, f])
        return self._raw[f]

    def nan(self, f: int) -> np.ndarray:
        if f not in self._nan:
            self._nan[f] = np.isnan(self.raw(f))
        return self._nan[f]

    def filled(self, f: int) -> np.ndarray:
        """NaN read as 0, as LightGBM reads it unless the split's missing type is NaN."""
        if f not in self._filled:
            nan = self.nan(f)
            self._filled[f] = np.where(nan, 0.0, self.raw(f)) if nan.any() else self.raw(f)
        return self._filled[f]


class TreeTables:
    """A single-output LightGBM ensemble whose trees are all small."""

    def __init__(self, trees: list[_Tree], n_features: int) -> None:
        self.trees = trees
        self.n_features = n_features
        self.bias = float(sum(t.expected for t in trees))
        # Trees repeat each other's splits (about half of them on the gain model): each
        # distinct split is decided once per block of rows, and a tree's bits point at it.
        index: dict[tuple, int] = {}
        self._bits = [[index.setdefault(_key(split), len(index)) for split in tree.splits]
                      for tree in trees]
        self._splits = [None] * len(index)
        for tree, bits in zip(trees, self._bits, strict=True):
            for split, u in zip(tree.splits, bits, strict=True):
                self._splits[u] = split

    @classmethod
    def from_booster(cls, booster: lgb.Booster, *, shap: bool = True
                     ) -> TreeTables | None:
        """None when the ensemble is multi-output or some tree has more than MAX_SPLITS
        split nodes (the caller then uses LightGBM's own predict / pred_contrib)."""
        dump = booster.dump_model()
        if dump.get("num_tree_per_iteration", 1) != 1:
            return None
        trees = []
        for info in dump["tree_info"]:
            try:
                root = _parse(info["tree_structure"])
            except _Unsupported:
                return None
            splits = tuple(_walk(root))
            if len(splits) > MAX_SPLITS:
                return None
            trees.append(_tabulate(root, splits, shap=shap))
        return cls(trees, booster.num_feature())

    def predict(self, cols: Columns) -> np.ndarray:
        out = np.zeros(cols.n)
        for rows, tree, code in self._patterns(cols):
            out[rows] += tree.value.take(code)
        return out

    def contributions(self, cols: Columns) -> np.ndarray:
        """[n, n_features + 1] like pred_contrib: per-feature values, then the bias."""
        out = np.zeros((self.n_features + 1, cols.n))
        out[-1] = self.bias
        for rows, tree, code in self._patterns(cols):
            for f, column in zip(tree.features, tree.shap, strict=True):
                out[f, rows] += column.take(code)
        return out.T

    def _patterns(self, cols: Columns):
        """(rows, tree, pattern) for every tree and block of ROW_BLOCK rows: bit k of a
        row's pattern is whether it goes left at the tree's k-th split. The pattern
        buffer is reused: read it before the next one."""
        size = min(ROW_BLOCK, cols.n)
        left = np.empty((len(self._splits), size), dtype=np.uint8)
        code, bit = np.empty(size, dtype=np.uint8), np.empty(size, dtype=np.uint8)
        for start in range(0, cols.n, ROW_BLOCK):
            rows = slice(start, min(start + ROW_BLOCK, cols.n))
            n = rows.stop - start
            for u, split in enumerate(self._splits):
                left[u, :n] = _goes_left(split, cols, rows)
            for tree, bits in zip(self.trees, self._bits, strict=True):
                c = code[:n]
                if not bits:
                    c.fill(0)
                else:
                    np.copyto(c, left[bits[0], :n])
                    for k, u in enumerate(bits[1:], start=1):
                        c |= np.left_shift(left[u, :n], k, out=bit[:n])
                yield rows, tree, c


class _Unsupported(Exception):
    """A tree these tables do not model (linear leaves, an unknown decision type)."""


def _parse(node: dict) -> _Split | _Leaf:
    if "leaf_value" in node:
        if "leaf_coeff" in node:  # linear_tree: the leaf's output depends on the row
            raise _Unsupported
        return _Leaf(float(node["leaf_value"]), float(node.get("leaf_count", 0)))
    if node["decision_type"] not in ("<=", "=="):
        raise _Unsupported
    categorical = node["decision_type"] == "=="
    return _Split(
        feature=int(node["split_feature"]),
        threshold=np.nan if categorical else float(node["threshold"]),
        categories=(np.array([int(c) for c in str(node["threshold"]).split("||")])
                    if categorical else None),
        default_left=bool(node["default_left"]), missing=str(node["missing_type"]),
        count=float(node["internal_count"]),
        left=_parse(node["left_child"]), right=_parse(node["right_child"]))


def _walk(node: _Split | _Leaf) -> list[_Split]:
    if isinstance(node, _Leaf):
        return []
    return [node, *_walk(node.left), *_walk(node.right)]


def _key(split: _Split) -> tuple:
    """What a split's decision depends on (not its children)."""
    categories = None if split.categories is None else tuple(split.categories.tolist())
    return (split.feature, split.threshold, categories, split.default_left, split.missing)


def _goes_left(split: _Split, cols: Columns, rows: slice) -> np.ndarray:
    """LightGBM's NumericalDecision / CategoricalDecision, vectorised over `rows`."""
    f = split.feature
    if split.categories is not None:
        # static_cast<int> truncates; NaN and negative values always go right
        iv = np.trunc(np.where(cols.nan(f)[rows], -1.0, cols.raw(f)[rows]))
        return (iv >= 0) & np.isin(iv, split.categories)
    if split.missing == "NaN":
        left = cols.raw(f)[rows] <= split.threshold  # NaN compares false
        return left | cols.nan(f)[rows] if split.default_left else left
    value = cols.filled(f)[rows]
    left = value <= split.threshold
    if split.missing == "Zero":
        left = np.where(np.abs(value) <= _ZERO, split.default_left, left)
    return left


def _tabulate(root: _Split | _Leaf, splits: tuple[_Split, ...], *, shap: bool) -> _Tree:
    features = tuple(sorted({s.feature for s in splits})) if shap else ()
    bit = {id(s): k for k, s in enumerate(splits)}
    n = 1 << len(splits)
    value, table = np.zeros(n), np.zeros((n, len(features)))
    for code in range(n):
        left = {key: bool(code >> k & 1) for key, k in bit.items()}
        value[code] = _mean(root, frozenset(s.feature for s in splits), left)
        table[code] = _shapley(root, features, left)
    return _Tree(splits, value, features,
                 tuple(np.ascontiguousarray(c) for c in table.T),
                 _mean(root, frozenset(), {}))


def _mean(node: _Split | _Leaf, known: frozenset[int], left: dict[int, bool]) -> float:
    """Path-dependent expectation: follow the row where the feature is known, else the
    training-count weighted average of both children (TreeSHAP's value function)."""
    if isinstance(node, _Leaf):
        return node.value
    if node.feature in known:
        return _mean(node.left if left[id(node)] else node.right, known, left)
    return (node.left.count * _mean(node.left, known, left)
            + node.right.count * _mean(node.right, known, left)) / node.count


def _shapley(root: _Split | _Leaf, features: tuple[int, ...], left: dict[int, bool]
             ) -> np.ndarray:
    k = len(features)
    value = {frozenset(s): _mean(root, frozenset(s), left)
             for size in range(k + 1) for s in combinations(features, size)}
    phi = np.zeros(k)
    for j, f in enumerate(features):
        others = [g for g in features if g != f]
        for size in range(k):
            weight = factorial(size) * factorial(k - size - 1) / factorial(k)
            for subset in combinations(others, size):
                s = frozenset(subset)
                phi[j] += weight * (value[s | {f}] - value[s])
    return phi

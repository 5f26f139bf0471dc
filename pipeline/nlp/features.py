"""pkuseg's CRF node scores, computed in bulk instead of one feature string at a time.

spacy_pkuseg's extractor builds about seventy strings per character (``'c-1c.'
+ a + '.' + b``, ``'ww.l.' + word + '*' + word`` for 50 word pairs, ...) and
looks each up in the model's feature dict; in ``minsheng bench nlp`` that was
over half of the whole pipeline's time. Every one of those features is a
function of one or two characters, or of one or two dictionary words that
start or end around the character. So the model's features are parsed once
into integer tables (:func:`build_tables`, cached per model), a text's
characters and dictionary words become integer arrays, and all features of
all characters are found with a few array lookups.

Node scores are the features' weights added one at a time in pkuseg's own
feature order, and pkuseg's Viterbi decodes them: the tests check that scores
and tags equal spacy_pkuseg's, bit for bit.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..errors import ModelError
from .hashtable import IntHashTable
from ..kernels import compiled

LENGTHS = (6, 5, 4, 3, 2)  # pkuseg's word-feature slots (wordMax 6 .. wordMin 2), longest first
_NO_WORD = "**noWord"
_SINGLES = ("c.", "c-1.", "c1.", "c-2.", "c2.")
_SINGLE_OFFSET = (0, -1, 1, -2, 2)
_PAIRS = ("c-1c.", "cc1.", "c-2c-1.")
_PAIR_OFFSETS = ((-1, 0), (0, 1), (-2, -1))
_CHAR_ORDER = ("c.", "c-1.", "c-1c.", "c1.", "cc1.", "c-2.", "c-2c-1.", "c2.")  # pkuseg's order
PAD = 2  # unknown characters before the text stand for pkuseg's edge checks
RPAD = max(LENGTHS)  # and after it, enough for the longest word key
BLOCK = 16_384  # characters scored at once in a long text
MARGIN = max(LENGTHS) + 2  # context beyond a block that its features can read
UNKNOWN, NUM, LETTER = 0, 1, 2  # character ids; real characters start at 3
_SEPARATOR = "\x00"  # joins texts scored together; id UNKNOWN in every pkuseg model
FORMAT = 1  # of the cached tables; bump when build_tables changes


def cached_tables(features_file: Path, n_feature: int) -> dict[str, np.ndarray]:
    """The tables of a model's ``features.msgpack``, built once and kept in the cache
    under the file's sha256 (an unwritable cache only costs the rebuild)."""
    import srsly

    from .. import assets

    digest = assets.sha256_file(features_file)
    folder = assets.cache_dir() / "segmenter-tables" / f"{FORMAT}-{digest[:24]}"
    done = folder / assets.COMPLETE_MARKER
    tables = None
    if not done.exists():
        data = srsly.read_msgpack(features_file)
        if len(data["feature_to_idx"]) != n_feature:
            raise ModelError(f"{features_file} describes {len(data['feature_to_idx'])} features, the "
                             f"weights {n_feature}: the model files do not belong together.")
        tables = build_tables(data["feature_to_idx"], data["unigram"], data["tag_to_idx"], n_feature)
        try:
            assets.install_dir(folder, lambda tmp: np.savez(tmp / "tables.npz", **tables))
        except OSError:
            pass  # unwritable cache (or another process won the race): use what we built
    if tables is None:
        with np.load(folder / "tables.npz") as npz:
            tables = {name: npz[name] for name in npz.files}
    if int(tables["meta"][1]) != n_feature:
        raise ModelError(f"{features_file} describes {int(tables['meta'][1])} features, the weights "
                         f"{n_feature}: the model files do not belong together.")
    return tables


def build_tables(feature_to_idx: dict[str, int], unigram: Iterable[str], tag_to_idx: dict[str, int],
                 n_feature: int) -> dict[str, np.ndarray]:
    """Integer lookup tables for every feature template of a pkuseg model.

    Characters become small ids (pkuseg's digit and letter classes and its
    ``&`` for keyword characters included; a character the model never uses is
    id 0 and matches nothing, as in pkuseg). Words of up to four characters are
    exact integer keys; longer ones are keyed by their first four characters
    plus the rest. A word with a digit or letter is left out: pkuseg sees
    ``**Num`` there, so it can never match."""
    from spacy_pkuseg.feature_extractor import FeatureExtractor

    classes = set(FeatureExtractor.num) | set(FeatureExtractor.letter)
    words = sorted({w for w in unigram if len(w) in LENGTHS and not classes & set(w)})
    word_id = {w: i for i, w in enumerate(words)}
    no_word = len(words)
    chars = sorted({ch for w in words for ch in w}
                   | {part for f in feature_to_idx if f.startswith("c")
                      for part in f.partition(".")[2].split(".") if len(part) == 1})
    char_id = {ch: i + 3 for i, ch in enumerate(chars)}
    char_id.update({"**Num": NUM, "**Letter": LETTER})
    bits = (len(chars) + 3).bit_length()
    t: dict[str, np.ndarray] = {"meta": np.array([bits, n_feature, no_word], dtype=np.int64),
                                "begin": np.array(sorted(i for tag, i in tag_to_idx.items() if "B" in tag),
                                                  dtype=np.int64)}

    cps = {ord(ch): i for ch, i in char_id.items() if len(ch) == 1}
    cps.update({ord(ch): NUM for ch in FeatureExtractor.num})
    cps.update({ord(ch): LETTER for ch in FeatureExtractor.letter})
    cps.update({ord(ch): char_id.get("&", UNKNOWN) for ch in FeatureExtractor.keywords})
    t["char_cp"], t["char_id"] = (np.array(v, dtype=np.int64) for v in zip(*sorted(cps.items())))

    short: dict[int, list] = {2: [], 3: [], 4: []}
    long: dict[int, list] = {5: [], 6: []}
    for wid, word in enumerate(words):
        ids = [char_id[ch] for ch in word]
        if len(word) <= 4:
            short[len(word)].append((_key(ids, bits), wid))
        else:
            long[len(word)].append((_key(ids[:4], bits), _key(ids[4:], bits), wid))
    for length, rows in short.items():
        t[f"word{length}_k"], t[f"word{length}_v"] = _sorted(rows)
    for length, rows in long.items():
        rows.sort()
        for j, name in enumerate(("head", "rest", "id")):
            t[f"long{length}_{name}"] = np.array([r[j] for r in rows], dtype=np.int64)

    singles = {name: np.full(len(chars) + 3, n_feature, dtype=np.int64) for name in _SINGLES}
    pairs: dict[str, list] = {name: [] for name in _PAIRS}
    w_end = np.full(no_word + 1, n_feature, dtype=np.int64)
    w_start = w_end.copy()
    ww = {side: {"nw": w_end.copy(), "pnw": w_end.copy(), "pairs": []} for side in "lr"}
    for feature, idx in feature_to_idx.items():
        prefix, _, rest = feature.partition(".")
        prefix += "."
        if prefix in singles:
            if rest in char_id:
                singles[prefix][char_id[rest]] = idx
        elif prefix in pairs:
            a, _, b = rest.partition(".")
            if a in char_id and b in char_id:
                pairs[prefix].append(((char_id[a] << bits) | char_id[b], idx))
        elif prefix in ("w-1.", "w1.") and rest in word_id:
            (w_end if prefix == "w-1." else w_start)[word_id[rest]] = idx
        elif feature.startswith(("ww.l.", "ww.r.")):
            body = feature[5:]
            if body.startswith(_NO_WORD + "*"):
                pre, post = _NO_WORD, body[len(_NO_WORD) + 1:]
            else:
                pre, _, post = body.partition("*")
            pre_id, post_id = (no_word if w == _NO_WORD else word_id.get(w, -1) for w in (pre, post))
            side = ww[feature[3]]
            if pre_id < 0 or post_id < 0:
                continue
            if pre_id == no_word:
                side["nw"][post_id] = idx
            elif post_id == no_word:
                side["pnw"][pre_id] = idx
            else:
                side["pairs"].append((pre_id * (no_word + 1) + post_id, idx))
    for k, name in enumerate(_SINGLES):
        t[f"single{k}"] = singles[name]
    for k, name in enumerate(_PAIRS):
        t[f"pair{k}_k"], t[f"pair{k}_v"] = _sorted(pairs[name])
    t["w_end"], t["w_start"] = w_end, w_start
    for s, side in ww.items():
        t[f"ww{s}_nw"], t[f"ww{s}_pnw"] = side["nw"], side["pnw"]
        t[f"ww{s}_k"], t[f"ww{s}_v"] = _sorted(side["pairs"])
    return t


class FastCrf:
    """A pkuseg CRF, as lookup tables plus weights, that scores and decodes whole texts."""

    def __init__(self, tables: dict[str, np.ndarray], weights: np.ndarray, n_tag: int, n_feature: int):
        self.n_tag = n_tag
        self._t = tables
        self._bits, self._zero, self._no_word = (int(x) for x in tables["meta"])
        if self._zero != n_feature:
            raise ModelError(f"feature tables are for {self._zero} features, the weights for "
                             f"{n_feature}: the model files do not belong together.")
        self._char_table = np.zeros(0x110000, dtype=np.int64)
        self._char_table[tables["char_cp"]] = tables["char_id"]
        self._long = {length: dict(zip(zip(tables[f"long{length}_head"].tolist(),
                                           tables[f"long{length}_rest"].tolist()),
                                       tables[f"long{length}_id"].tolist())) for length in (5, 6)}
        self._hashed = {name[:-2]: IntHashTable(keys, tables[name[:-2] + "_v"])
                        for name, keys in tables.items() if name.endswith("_k")}
        weights = np.asarray(weights, dtype=np.float64)
        self._node_w = weights[: n_tag * n_feature].reshape(n_feature, n_tag)
        edge = weights[n_tag * n_feature:].reshape(n_tag, n_tag)
        self.edge_scores = np.ascontiguousarray(1.0 + edge.T)  # pkuseg: [previous tag, tag], base 1

    def _search(self, name: str, query: np.ndarray, missing: int) -> np.ndarray:
        """The values of table *name* (``name_k`` -> ``name_v``) at *query*, *missing* where
        absent (a hash table: 5x quicker than ``searchsorted`` on these sizes)."""
        return self._hashed[name].get(query, missing)

    def _words(self, ids: np.ndarray, n: int) -> np.ndarray:
        """``(n + 1, 5)``: id of the word of each length starting at each position
        (row n: past the end), the no-word id where there is none."""
        bits, no_word = self._bits, self._no_word
        starts = np.full((n + 1, len(LENGTHS)), no_word, dtype=np.int64)
        key = ids[PAD:PAD + n]
        for length in (2, 3, 4):
            key = (key << bits) | ids[PAD + length - 1:PAD + length - 1 + n]
            starts[:n, LENGTHS.index(length)] = self._search(f"word{length}", key, no_word)
        for length in (5, 6):
            heads = self._t[f"long{length}_head"]
            if not len(heads):
                continue
            pos = np.minimum(np.searchsorted(heads, key), len(heads) - 1)
            for a in np.flatnonzero(heads[pos] == key).tolist():
                rest = _key(ids[PAD + a + 4:PAD + a + length].tolist(), bits)
                found = self._long[length].get((int(key[a]), rest))
                if found is not None and a + length <= n:
                    starts[a, LENGTHS.index(length)] = found
        return starts

    def _pairs(self, side: str, pre: np.ndarray, post: np.ndarray) -> np.ndarray:
        """``(25, n)`` word-pair feature indices from ``(5, n)`` word ids, pre slot outer,
        post slot inner (pkuseg's order)."""
        if compiled is not None:
            out = np.empty((len(pre) * len(post), pre.shape[1]), dtype=np.int64)
            table = self._hashed[f"ww{side}"]
            compiled.word_pairs(np.ascontiguousarray(pre), np.ascontiguousarray(post),
                                self._t[f"ww{side}_nw"], self._t[f"ww{side}_pnw"],
                                table._keys, table._values, int(table._shift), self._no_word,
                                self._zero, out)
            return out
        return self._pairs_numpy(side, pre, post)

    def _pairs_numpy(self, side: str, pre: np.ndarray, post: np.ndarray) -> np.ndarray:
        """:meth:`_pairs` in numpy (the reference the compiled loop is tested against)."""
        pre = np.repeat(pre, len(LENGTHS), axis=0)
        post = np.tile(post, (len(LENGTHS), 1))
        no_word = self._no_word
        out = np.where(pre == no_word, self._t[f"ww{side}_nw"][post], self._t[f"ww{side}_pnw"][pre])
        both = (pre != no_word) & (post != no_word)
        if both.any():
            out[both] = self._search(f"ww{side}", pre[both] * (no_word + 1) + post[both], self._zero)
        return out

    def feature_matrix(self, text: str) -> np.ndarray:
        """``(len(text), 69)`` feature indices per character in pkuseg's order; an
        absent feature is ``n_feature`` (a view of :meth:`feature_columns`)."""
        return self.feature_columns(text).T

    def feature_columns(self, text: str) -> np.ndarray:
        """``(69, len(text))``: :meth:`feature_matrix` built feature by feature, each
        feature's indices for every character one contiguous row (assembling
        per-character rows from columns cost more than the lookups)."""
        n = len(text)
        ids = np.zeros(PAD + n + RPAD, dtype=np.int64)
        # surrogatepass: a lone surrogate (e.g. from a surrogateescape decode) is just an unknown character
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ids[PAD:PAD + n] = self._char_table[cps]
        at = {offset: ids[PAD + offset:PAD + offset + n] for offset in (-2, -1, 0, 1, 2)}
        columns = {name: self._t[f"single{k}"][at[_SINGLE_OFFSET[k]]] for k, name in enumerate(_SINGLES)}
        for k, (name, (a, b)) in enumerate(zip(_PAIRS, _PAIR_OFFSETS)):
            columns[name] = self._search(f"pair{k}", (at[a] << self._bits) | at[b], self._zero)
        starts = np.ascontiguousarray(self._words(ids, n).T)  # (5, n + 1)
        ends = np.full((len(LENGTHS), n + 1), self._no_word, dtype=np.int64)  # col i: ending at i - 1
        for k, length in enumerate(LENGTHS):
            if length <= n:
                ends[k, length:] = starts[k, : n - length + 1]
        here_start, after_start, before_end, here_end = starts[:, :n], starts[:, 1:], ends[:, :n], ends[:, 1:]
        out = np.empty((1 + len(_CHAR_ORDER) + 2 * len(LENGTHS) + 2 * len(LENGTHS) ** 2, n),
                       dtype=np.int64)
        out[0] = 0  # bias
        row = 1
        for name in _CHAR_ORDER:
            out[row] = columns[name]
            row += 1
        for block in (self._t["w_end"][here_end], self._t["w_start"][here_start],
                      self._pairs("l", before_end, here_start), self._pairs("r", here_end, after_start)):
            out[row:row + len(block)] = block
            row += len(block)
        return out

    def node_scores(self, text: str) -> np.ndarray:
        """``(len(text), n_tag)``: each character's feature weights added one at a
        time in pkuseg's order, starting from 0.0 (so the sums are its sums).

        Long texts are scored in blocks with a margin on each side wider than any
        feature reaches (two characters, six-character words), so memory stays
        bounded and the scores are the same as in one piece."""
        n = len(text)
        if n <= BLOCK + 2 * MARGIN:
            return self._block_scores(text)
        out = np.empty((n, self.n_tag))
        for start in range(0, n, BLOCK):
            lo, hi = max(start - MARGIN, 0), min(start + BLOCK + MARGIN, n)
            scores = self._block_scores(text[lo:hi])
            out[start:start + BLOCK] = scores[start - lo:start - lo + min(BLOCK, n - start)]
        return out

    def _block_scores(self, text: str) -> np.ndarray:
        cols = self.feature_columns(text)
        if compiled is not None:  # the same sums, in the same order (pipeline._kernels)
            out = np.empty((cols.shape[1], self.n_tag))
            compiled.block_scores(cols, self._node_w, self._zero, out)
            return out
        return self._block_scores_numpy(cols.T)

    def _block_scores_numpy(self, feats: np.ndarray) -> np.ndarray:
        """Each row's present feature weights added in order from 0.0 (``np.bincount``)."""
        n = len(feats)
        present = feats != self._zero
        rows = np.broadcast_to(np.arange(n)[:, None], feats.shape)[present]
        gathered = self._node_w[feats[present]]
        out = np.empty((n, self.n_tag))
        for tag in range(self.n_tag):
            out[:, tag] = np.bincount(rows, weights=gathered[:, tag], minlength=n)
        return out

    def tags(self, text: str) -> list[int]:
        """The best tag per character (pkuseg's Viterbi on these scores)."""
        return self.tags_many([text])[0]

    def tags_many(self, texts: Sequence[str]) -> list[list[int]]:
        """:meth:`tags` of each text, all scored in one feature pass.

        The texts are joined with :data:`MARGIN` characters of id 0 (unknown,
        matching no feature, as pkuseg's edge of a text) between them, wider than
        any feature reaches, so each text's scores are the ones it gets alone;
        each is then decoded alone. One pass instead of one per text: the
        lookups' fixed cost is paid once per batch, not once per short piece."""
        if self._char_table[ord(_SEPARATOR)] != UNKNOWN:  # a model that knows U+0000: one by one
            return [self._tags_joined([text])[0] for text in texts]
        return self._tags_joined(texts)

    def _tags_joined(self, texts: Sequence[str]) -> list[list[int]]:
        from spacy_pkuseg.inference import run_viterbi

        if not any(texts):
            return [[] for _ in texts]
        scores = self.node_scores(self.join(texts))
        return [run_viterbi(scores[lo:hi], self.edge_scores)[1].tolist() if hi > lo else []
                for lo, hi in self.piece_bounds(texts)]

    @staticmethod
    def join(texts: Sequence[str]) -> str:
        """The texts as one, :data:`MARGIN` unknown characters between each two."""
        return (_SEPARATOR * MARGIN).join(texts)

    @staticmethod
    def piece_bounds(texts: Sequence[str]) -> list[tuple[int, int]]:
        """``(start, end)`` of each text inside :meth:`join` of *texts*."""
        bounds, pos = [], 0
        for text in texts:
            bounds.append((pos, pos + len(text)))
            pos += len(text) + MARGIN
        return bounds


def _key(ids: list[int], bits: int) -> int:
    key = 0
    for i in ids:
        key = (key << bits) | i
    return key


def _sorted(rows: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    rows = sorted(rows)
    keys = np.array([k for k, _ in rows], dtype=np.int64)
    return keys, np.array([v for _, v in rows], dtype=np.int64)

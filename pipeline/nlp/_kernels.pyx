# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled inner loops of the segmenter's feature lookup and scoring.

Each function computes exactly what the numpy code it stands in for computes
(:meth:`pipeline.nlp.hashtable.IntHashTable.get`,
:meth:`pipeline.nlp.features.CrfFeatures._block_scores`): the same probes, the
same sums added in the same order from 0.0 (no reassociation: plain C double
adds, built without fast-math), so the scores are identical bit for bit; the
numpy code is the reference the tests compare against.
"""
from libc.stdint cimport int64_t, uint64_t


def hash_get(const int64_t[::1] keys, const int64_t[::1] values, int shift,
             const int64_t[::1] query, int64_t missing, int64_t[::1] out):
    """*out[i]* = the value of *query[i]* in the linear-probing table, *missing* if absent."""
    cdef Py_ssize_t i, slot, n = query.shape[0]
    cdef int64_t q, found
    cdef uint64_t multiplier = 0x9E3779B97F4A7C15ULL
    with nogil:
        for i in range(n):
            q = query[i]
            out[i] = missing
            if q < 0:
                continue
            slot = <Py_ssize_t>((<uint64_t>q * multiplier) >> shift)
            while True:
                found = keys[slot]
                if found == q:
                    out[i] = values[slot]
                    break
                if found == -1:
                    break
                slot += 1


def block_scores(const int64_t[:, ::1] columns, const double[:, ::1] weights, int64_t absent,
                 double[:, ::1] out):
    """*out[i, t]* = the sum, from 0.0 and in feature order, of ``weights[f, t]`` over the
    feature indices *f* of character *i* (``columns[:, i]``) other than *absent*.
    Feature by feature over all characters: each sum still adds its terms in
    feature order, while every read of *columns* is sequential."""
    cdef Py_ssize_t i, j, t, m = columns.shape[0], n = columns.shape[1], n_tag = weights.shape[1]
    cdef int64_t f
    with nogil:
        for i in range(n):
            for t in range(n_tag):
                out[i, t] = 0.0
        for j in range(m):
            for i in range(n):
                f = columns[j, i]
                if f != absent:
                    for t in range(n_tag):
                        out[i, t] = out[i, t] + weights[f, t]


cdef inline int64_t _probe(const int64_t[::1] keys, const int64_t[::1] values, int shift,
                           int64_t q, int64_t missing) noexcept nogil:
    cdef uint64_t multiplier = 0x9E3779B97F4A7C15ULL
    cdef Py_ssize_t slot
    cdef int64_t found
    if q < 0:
        return missing
    slot = <Py_ssize_t>((<uint64_t>q * multiplier) >> shift)
    while True:
        found = keys[slot]
        if found == q:
            return values[slot]
        if found == -1:
            return missing
        slot += 1


def word_pairs(const int64_t[:, ::1] pre, const int64_t[:, ::1] post,
               const int64_t[::1] no_pre, const int64_t[::1] no_post,
               const int64_t[::1] keys, const int64_t[::1] values, int shift,
               int64_t no_word, int64_t missing, int64_t[:, ::1] out):
    """``CrfFeatures._pairs``: row ``a * k + b`` of *out* is the feature of each
    character's pre word *a* and post word *b* (*no_pre* indexed by the post word when
    there is no pre word, *no_post* by the pre word when there is no post word, else
    the pair's key in the hash table)."""
    cdef Py_ssize_t a, b, i, k = pre.shape[0], n = pre.shape[1]
    cdef int64_t p, q
    with nogil:
        for a in range(k):
            for b in range(k):
                for i in range(n):
                    p = pre[a, i]
                    q = post[b, i]
                    if p == no_word:
                        out[a * k + b, i] = no_pre[q]
                    elif q == no_word:
                        out[a * k + b, i] = no_post[p]
                    else:
                        out[a * k + b, i] = _probe(keys, values, shift, p * (no_word + 1) + q, missing)

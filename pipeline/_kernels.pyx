# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled inner loops of the segmenter's feature lookup and scoring.

Each function computes exactly what the numpy code it stands in for computes
(:meth:`pipeline.nlp.hashtable.IntHashTable.get`,
:meth:`pipeline.nlp.features.CrfFeatures._block_scores`): the same probes, the
same sums added in the same order from 0.0 (no reassociation: plain C double
adds, built without fast-math), so the scores are identical bit for bit; the
numpy code is the reference the tests compare against.
"""
from libc.math cimport exp, fabs, log
from libc.stdint cimport int32_t, int64_t, uint64_t


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


cdef double _psi(double x) noexcept nogil:
    # scikit-learn's psi (sklearn/decomposition/_online_lda_fast.pyx, after Bernardo 1976, AS 103)
    cdef double EULER = 0.577215664901532860606512090082402431
    cdef double r, result = 0
    if x <= 1e-6:
        return -EULER - 1. / x
    while x < 6:
        result -= 1. / x
        x += 1
    r = 1. / x
    result += log(x) - .5 * r
    r = r * r
    result -= r * ((1. / 12.) - r * ((1. / 120.) - r * (1. / 252.)))
    return result


def lda_doc_topics(const int32_t[::1] indptr, const int32_t[::1] indices, const double[::1] data,
                   const double[:, ::1] exp_topic_word, double doc_topic_prior, int max_iter,
                   double tol, double[:, ::1] out, double[::1] work):
    """Unnormalised document-topic weights of the rows of a CSR count matrix: scikit-learn's
    variational E-step (``_update_doc_distribution`` without sufficient statistics, from a
    uniform start) row by row, with its dot products written as plain loops.

    *work* is scratch space of ``3 * n_topics + nnz_max * (n_topics + 1)`` doubles.  Each
    row depends on that row alone, so a row's weights do not depend on its batch."""
    cdef Py_ssize_t d, k, j, start, m, n = out.shape[0], K = out.shape[1]
    cdef int it
    cdef double total, psi_total, change, acc, eps = 2.220446049250313e-16
    cdef double *exp_doc = &work[0]
    cdef double *last = &work[K]
    cdef double *doc = &work[2 * K]
    cdef double *ratio = &work[3 * K]
    cdef double *words  # the row's columns of exp_topic_word, word by word (m x K)
    cdef double start_exp
    cdef Py_ssize_t nnz_max = (work.shape[0] - 3 * K) // (K + 1)
    words = &work[3 * K + nnz_max]
    with nogil:
        # exp(E[log theta]) of the uniform start (all ones): psi(1) - psi(K)
        start_exp = exp(_psi(1.0) - _psi(<double>K))
        for d in range(n):
            start = indptr[d]
            m = indptr[d + 1] - start
            for j in range(m):
                for k in range(K):
                    words[j * K + k] = exp_topic_word[k, indices[start + j]]
            for k in range(K):
                doc[k] = 1.0
                exp_doc[k] = start_exp
            for it in range(max_iter):
                for k in range(K):
                    last[k] = doc[k]
                # norm_phi[j] = sum_k exp_doc[k] * exp_topic_word[k, w_j] + eps; ratio = cnt / norm_phi
                for j in range(m):
                    acc = 0.0
                    for k in range(K):
                        acc = acc + exp_doc[k] * words[j * K + k]
                    ratio[j] = data[start + j] / (acc + eps)
                for k in range(K):
                    doc[k] = 0.0
                for j in range(m):
                    for k in range(K):
                        doc[k] = doc[k] + ratio[j] * words[j * K + k]
                total = 0.0
                for k in range(K):
                    doc[k] = exp_doc[k] * doc[k] + doc_topic_prior
                    total += doc[k]
                psi_total = _psi(total)
                for k in range(K):
                    exp_doc[k] = exp(_psi(doc[k]) - psi_total)
                change = 0.0
                for k in range(K):
                    change += fabs(last[k] - doc[k])
                if change / K < tol:
                    break
            for k in range(K):
                out[d, k] = doc[k]

"""The primary-domain decision: a conditional logit over domain evidence.

Every domain is an alternative described by the same evidence (seeded share,
share with free topics, pseudo-label probability, anchor evidence).  The score
of a livelihood domain is one weight vector, shared by all of them, times its
evidence; ``other`` has its own weights and an intercept (McFadden's
conditional logit).  Sharing the weights is what lets a domain with two, or
zero, labeled examples be chosen at all: the model learns how to read
evidence, not a prior per domain.  Fitted by maximum likelihood on labeled
paragraphs; a label may be a set of acceptable domains (likelihood of the set).

:func:`adapt_livelihood_prior` re-estimates the livelihood-vs-other prior on
the texts being classified by EM (Saerens, Latinne & Decaestecker 2002), for
a run whose base rate is not the reports' (citizen messages).
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from ..errors import ConfigError, value_invalid_msg


def design(features: np.ndarray, fallback: int) -> np.ndarray:
    """(n, K, 2f + 1) alternative-specific design from (n, K, f) evidence: livelihood
    alternatives use the first f columns, the fallback the next f and an intercept."""
    n, k, f = features.shape
    Z = np.zeros((n, k, 2 * f + 1))
    live = np.ones(k, dtype=bool)
    live[fallback] = False
    Z[:, live, :f] = features[:, live]
    Z[:, fallback, f:2 * f] = features[:, fallback]
    Z[:, fallback, 2 * f] = 1.0
    return Z


def _softmax(S: np.ndarray) -> np.ndarray:
    S = S - S.max(axis=1, keepdims=True)
    P = np.exp(S)
    return P / P.sum(axis=1, keepdims=True)


class ConditionalLogit(BaseEstimator):
    """Multinomial choice among domains with shared evidence weights.

    Parameters
    ----------
    l2 : float, default=1e-3
        Ridge penalty on the evidence weights.
    bias_l2 : float or None, default=1e-2
        Ridge penalty on per-domain intercepts; ``None`` fits none.
    livelihood_weight : float or "balanced", default="balanced"
        Sample weight of rows whose acceptable domains exclude the fallback;
        ``"balanced"`` makes their total weight equal to the fallback rows'.
        Reports are three quarters ``other``, text people write to a
        government is not: balancing keeps one genre's base rate from deciding
        every doubtful paragraph of another.  :meth:`adapt_priors` restores a
        corpus's own base rate when it is wanted.
    max_iter : int, default=1000
        L-BFGS iterations; a fit that stops short warns (``ConvergenceWarning``).

    Attributes
    ----------
    coef_ : ndarray (2f + 1,)
    intercept_ : ndarray (K,) or zeros
    """

    def __init__(self, l2: float = 1e-3, bias_l2: float | None = 1e-2,
                 livelihood_weight: float | str = "balanced", max_iter: int = 1000):
        self.l2 = l2
        self.bias_l2 = bias_l2
        self.livelihood_weight = livelihood_weight
        self.max_iter = max_iter

    def fit(self, Z: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None = None,
            fallback: int | None = None):
        """*Z*: (n, K, d) design; *Y*: (n, K) 0/1 mask of acceptable domains per row."""
        n, k, d = Z.shape
        sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        nb = k if self.bias_l2 is not None else 0
        Y = np.asarray(Y, dtype=np.float64)
        if fallback is not None:
            live = Y[:, fallback] == 0
            w = self.livelihood_weight
            if not (w == "balanced" or (isinstance(w, (int, float)) and w > 0)):
                raise ConfigError(value_invalid_msg("ConditionalLogit livelihood_weight", w,
                                                    "'balanced' or a number > 0"))
            if w == "balanced":
                w = sw[~live].sum() / sw[live].sum() if live.any() and (~live).any() else 1.0
            sw = sw * np.where(live, float(w), 1.0)

        def loss(theta):
            w, b = theta[:d], (theta[d:] if nb else 0.0)
            P = _softmax(Z @ w + b)
            ps = (P * Y).sum(axis=1)
            value = -(sw * np.log(ps + 1e-12)).sum() / sw.sum() + self.l2 * (w @ w)
            R = P * Y / (ps[:, None] + 1e-12)
            G = (P - R) * sw[:, None] / sw.sum()
            gw = np.einsum("nk,nkd->d", G, Z) + 2 * self.l2 * w
            if not nb:
                return value, gw
            value += self.bias_l2 * (b @ b)
            return value, np.concatenate([gw, G.sum(axis=0) + 2 * self.bias_l2 * b])

        res = minimize(loss, np.zeros(d + nb), jac=True, method="L-BFGS-B",
                       options={"maxiter": int(self.max_iter)})
        if not res.success:
            warnings.warn(f"ConditionalLogit did not converge in {res.nit} L-BFGS iterations "
                          f"({res.message}); raise l2 or check the evidence for extreme values.",
                          ConvergenceWarning, stacklevel=2)
        self.coef_ = res.x[:d]
        self.intercept_ = res.x[d:] if nb else np.zeros(k)
        self.n_iter_ = int(res.nit)
        return self

    def predict_proba(self, Z: np.ndarray) -> np.ndarray:
        check_is_fitted(self)
        return _softmax(Z @ self.coef_ + self.intercept_)


def adapt_livelihood_prior(P: np.ndarray, fallback: int, train_prior: float,
                           max_iter: int = 200, tol: float = 1e-7) -> tuple[np.ndarray, float]:
    """EM re-estimate of P(fallback) on the rows of *P*; returns adjusted rows and the prior.

    Only the livelihood-vs-other split moves: within livelihood, the domains keep
    their relative probabilities (a run of messages has fewer ``other``
    paragraphs than the reports, not a different mix of livelihood domains).
    """
    P = np.asarray(P, dtype=np.float64)
    a = float(train_prior)
    if not len(P) or not 0.0 < train_prior < 1.0:
        return P.copy(), a
    for _ in range(max_iter):
        Q = reweight_prior(P, fallback, a, train_prior)
        new = float(Q[:, fallback].mean())
        if abs(new - a) < tol:
            a = new
            break
        a = new
    a = min(max(a, 1e-6), 1 - 1e-6)
    return reweight_prior(P, fallback, a, train_prior), a


def reweight_prior(P: np.ndarray, fallback: int, prior: float, train_prior: float) -> np.ndarray:
    r = np.full(P.shape[1], (1.0 - prior) / (1.0 - train_prior))
    r[fallback] = prior / train_prior
    Q = P * r
    return Q / Q.sum(axis=1, keepdims=True)

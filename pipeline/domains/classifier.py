"""DomainClassifier: raw text in, livelihood domains out — a scikit-learn classifier.

Composition, one step per job (each saved inside the artifact)::

    TermFeaturizer      text -> content-word terms (segmenter, POS filter, names out)
    TopicEnsemble       terms -> seeded NMF + seeded LDA evidence per domain
    PseudoLabelLayer    terms -> class-balanced discriminative evidence (no gold labels)
    SupervisedTermLayer terms -> per-domain term evidence learned from the labels
    ConditionalLogit    evidence -> P(domain), shared weights across domains
    LabelSetModel       P + evidence -> label sets (fitted when label sets are given;
                        without them, share and anchor thresholds)

``fit(X, y=None)`` learns the topic models and the pseudo-label layer from the
unlabeled rows of ``X`` and the taxonomy's seeds; labeled rows (``y``, see
:mod:`pipeline.domains.targets`) fit the decision, and rows with label sets
the label-set model.
Topics wrapped in :class:`sklearn.frozen.FrozenEstimator` are kept as they are,
so ``cross_val_score(clf, X_dev, y_dev)`` refits only what labels choose.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import check_is_fitted

from . import calibration as cal
from .caching import EstimatorCache
from .counting import TermCounter
from .decision import ConditionalLogit, adapt_livelihood_prior, design, reweight_prior
from .ensemble import TopicEnsemble
from .featurize import TermFeaturizer, taxonomy_featurizer
from .labels import LabelSetModel
from .pseudo import PseudoLabelLayer
from .term_layer import SupervisedTermLayer
from .scorer import Evidence
from ..errors import ConfigError, value_invalid_msg
from .targets import parse_targets
from .taxonomy import Taxonomy, load_taxonomy

#: Evidence kinds a decision may read per domain (see :class:`~pipeline.domains.scorer.Evidence`;
#: ``support`` counts the terms backing a domain, ``clauses`` the clauses naming it, ``lead``
#: reads the paragraph's first terms, ``first`` is how early a strong term names the domain,
#: ``pseudo`` is the pseudo-label layer's probability, ``terms`` the supervised term layer's
#: out-of-fold score).
EVIDENCE_KINDS = ("seeded", "shares", "anchors", "mean", "support", "clauses", "lead", "first",
                  "pseudo", "terms")
#: The shipped choice (cross-validated on report paragraphs and messages, BENCHMARKS.md).
DEFAULT_EVIDENCE = ("seeded", "anchors", "shares", "mean", "clauses", "lead", "first", "terms")
#: Kinds that come from one layer, not from each topic model.
_LAYER_KINDS = ("pseudo", "terms")


def _set_matrix(targets, rows, ids) -> np.ndarray:
    """(len(rows), K) booleans: a row's label set where it has one, else its acceptable primaries."""
    index = {d: k for k, d in enumerate(ids)}
    Y = targets.acceptable[rows] > 0
    for r, i in enumerate(rows):
        if targets.label_sets[i]:
            Y[r] = False
            Y[r, [index[d] for d in targets.label_sets[i]]] = True
    return Y


def _fit_or_keep(template, default, *args, **kwargs):
    est = default if template is None else template
    if isinstance(est, FrozenEstimator):
        return est
    return clone(est).fit(*args, **kwargs)


class DomainClassifier(EstimatorCache, ClassifierMixin, BaseEstimator):
    """Classify paragraphs into the taxonomy's livelihood domains.

    Parameters
    ----------
    taxonomy : Taxonomy, str, path or None, default=None
        ``None`` is the shipped taxonomy (``pipeline/data/taxonomy.toml``).
    featurizer : TermFeaturizer, default=None
        Text -> terms; ``None`` is ``TermFeaturizer()`` (the shipped pipeline).  Its
        ``phrases``, when ``None``, become the taxonomy's terms.
    topics : TopicEnsemble or FrozenEstimator, default=None
        ``None`` is ``TopicEnsemble()`` (seeded NMF + seeded LDA).
    pseudo_labels : PseudoLabelLayer or FrozenEstimator, default=None
        Fitted only when ``"pseudo"`` is among *evidence*.
    term_layer : SupervisedTermLayer, default=None
        Fitted on the labeled rows when ``"terms"`` is among *evidence* (``None``:
        ``SupervisedTermLayer()``); the decision and the label-set model learn from
        its out-of-fold scores.  Without labeled rows the kind is silent (zeros).
    decision : ConditionalLogit, default=None
    label_model : LabelSetModel or ThresholdLabels, default=None
        Fitted on rows whose target is a label list (``None``: ``LabelSetModel()``;
        :class:`~pipeline.domains.calibration.ThresholdLabels` is the share-and-anchor
        threshold rule); without such rows label sets come from *label_threshold* and
        *anchor_threshold*.
    evidence : tuple of str, default=DEFAULT_EVIDENCE
        The evidence kinds the decision reads, in order (:data:`EVIDENCE_KINDS`).
    per_member : bool, default=True
        Each topic model's evidence is a feature of its own (the decision weighs
        the seeded NMF and the seeded LDA); ``False`` averages them first.
    label_threshold : float, default=0.2
        Without label sets: a domain with at least this probability joins the label set.
    anchor_threshold : float, default=0.95
        Without label sets: a term with P(domain | term) at least this adds the domain.

    Attributes
    ----------
    classes_ : ndarray of str
        Taxonomy ids, the column order of :meth:`predict_proba`.
    taxonomy_, featurizer_, topics_, pseudo_labels_, term_layer_, decision_ : fitted steps
    label_model_ : LabelSetModel or None
        ``None`` when no row had a label set.
    calibration_ : dict
        ``label_threshold`` and per-domain ``anchor_thresholds``: the label-set
        rule used when ``label_model_`` is None.
    prior_ : float
        Mean P(fallback) on the labeled rows (the base rate the decision learned).
    adapted_prior_ : float or None
        Set by :meth:`adapt_priors`; ``None`` means the learned prior is used.

    Examples
    --------
    >>> clf = pipeline.load_domain_model()                       # doctest: +SKIP
    >>> clf.predict(["今年我市将大力发展养老服务，建设社区养老服务中心。"])  # doctest: +SKIP
    array(['elderly_care'], dtype=object)
    """

    def __init__(self, taxonomy=None, featurizer=None, topics=None, pseudo_labels=None,
                 term_layer=None, decision=None, label_model=None, evidence: tuple = DEFAULT_EVIDENCE,
                 per_member: bool = True, label_threshold: float = 0.2,
                 anchor_threshold: float = 0.95):
        self.taxonomy = taxonomy
        self.featurizer = featurizer
        self.topics = topics
        self.pseudo_labels = pseudo_labels
        self.term_layer = term_layer
        self.decision = decision
        self.label_model = label_model
        self.evidence = evidence
        self.per_member = per_member
        self.label_threshold = label_threshold
        self.anchor_threshold = anchor_threshold

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Sequence[Any], y: Sequence[Any] | None = None) -> "DomainClassifier":
        """Fit on paragraphs *X* (raw text or term lists); *y* optional, see targets."""
        self.__dict__.pop("meta_", None)  # the record of a loaded artifact describes the old fit
        unknown = [k for k in self.evidence if k not in EVIDENCE_KINDS]
        if unknown or not self.evidence:
            raise ConfigError(value_invalid_msg("DomainClassifier evidence", tuple(self.evidence),
                                                f"a non-empty tuple of {EVIDENCE_KINDS}"))
        tax = self.taxonomy if isinstance(self.taxonomy, Taxonomy) else load_taxonomy(self.taxonomy)
        self.taxonomy_ = tax
        self.classes_ = np.array(tax.ids, dtype=object)
        fb = self.fallback_index_ = tax.ids.index(tax.fallback)
        self.featurizer_ = taxonomy_featurizer(self.featurizer, tax)
        terms = self.featurizer_.transform(X)
        targets = parse_targets(y, len(terms), tax.ids)
        unlabeled = ~targets.labeled if (~targets.labeled).any() else np.ones(len(terms), bool)
        free_terms = [terms[i] for i in np.where(unlabeled)[0]]
        self.topics_ = _fit_or_keep(self.topics, TopicEnsemble(), free_terms, taxonomy=tax)
        if list(getattr(self.topics_, "classes_", tax.ids)) != list(tax.ids):
            raise ConfigError(f"The topics were fitted for the domains {list(self.topics_.classes_)}, "
                              f"not this taxonomy's {tax.ids}; refit them or pass the taxonomy "
                              f"they were fitted with.")
        if "pseudo" not in self.evidence:
            self.pseudo_labels_ = None
        elif isinstance(self.pseudo_labels, FrozenEstimator):
            self.pseudo_labels_ = self.pseudo_labels
        else:
            seeded = self.topics_.evidence(free_terms).seeded
            self.pseudo_labels_ = _fit_or_keep(self.pseudo_labels, PseudoLabelLayer(), free_terms,
                                               seeded=seeded, fallback=fb,
                                               vocabulary=self.topics_.vocabulary_)
        self.n_unlabeled_ = int(unlabeled.sum())
        self.n_labeled_ = int(targets.labeled.sum())
        self.adapted_prior_ = None
        self.label_model_ = None
        self.term_layer_ = None
        self.calibration_ = {"label_threshold": float(self.label_threshold),
                             "anchor_thresholds": {d: float(self.anchor_threshold)
                                                   for d in tax.livelihood_ids}}
        if not self.n_labeled_:
            self.decision_ = self._unsupervised_decision()
            self.prior_ = float(np.clip(np.mean(self._raw_proba(free_terms)[0][:, fb]), 1e-3, 1 - 1e-3)) \
                if free_terms else 0.5
            return self
        rows = np.where(targets.labeled)[0]
        lab_terms = [terms[i] for i in rows]
        members = self.topics_.member_evidence(lab_terms)
        term_scores = None
        if "terms" in self.evidence:
            layer = clone(self.term_layer) if self.term_layer is not None else SupervisedTermLayer()
            self.term_layer_, term_scores = layer.fit_oof(
                lab_terms, _set_matrix(targets, rows, tax.ids), taxonomy=tax)
        ev, F, _ = self._evidence(lab_terms, members, term_scores)
        decision = clone(self.decision) if self.decision is not None else ConditionalLogit()
        self.decision_ = decision.fit(design(F, fb), targets.acceptable[rows], fallback=fb)
        P = self._raw_proba(lab_terms, (ev, F))[0]
        self.prior_ = float(np.clip(P[:, fb].mean(), 1e-3, 1 - 1e-3))
        with_sets = [j for j, i in enumerate(rows) if targets.label_sets[i]]
        if with_sets:
            Y = _set_matrix(targets, rows[with_sets], tax.ids)
            model = clone(self.label_model) if self.label_model is not None else LabelSetModel()
            sub = [Evidence.take(m, with_sets) for m in members]
            extra = None if term_scores is None else term_scores[with_sets]
            self.label_model_ = model.fit(sub, P[with_sets], Y, fallback=fb, extra=extra)
        return self

    def _unsupervised_decision(self) -> ConditionalLogit:
        """Without labels: every kind of evidence weighs the same for every domain."""
        kinds = [k for k in self.evidence if k not in _LAYER_KINDS]
        f = len(kinds) * (len(self.topics_.scorers_) if self.per_member else 1) \
            + sum(k in self.evidence for k in _LAYER_KINDS)
        dec = ConditionalLogit()
        dec.coef_ = np.concatenate([np.full(f, 3.0), np.full(f, 3.0), [0.0]])
        dec.intercept_ = np.zeros(len(self.classes_))
        dec.n_iter_ = 0
        return dec

    def adapt_priors(self, X: Sequence[Any]) -> "DomainClassifier":
        """Re-estimate the livelihood-vs-other prior on *X* by EM (no labels); return self.

        Afterwards every prediction of this object uses the adapted prior: a
        batch of citizen messages (about one in ten ``other``) is classified with
        its own base rate instead of the one the decision learned (``prior_``,
        the mean P(other) of its labeled rows).  ``adapted_prior_ = None``
        restores the learned prior.
        """
        check_is_fitted(self)
        self.adapted_prior_ = None
        P, has = self._raw_proba(self.featurizer_.transform(X))
        _, self.adapted_prior_ = adapt_livelihood_prior(P[has], self.fallback_index_, self.prior_)
        return self

    # ---------------------------------------------------------------- inference
    def _evidence(self, terms, members=None, term_scores=None):
        """Averaged evidence (for ``has_terms``), the decision's features (paragraph x
        domain x feature: the evidence kinds of each member, or of the average, then the
        layers' kinds) and the term layer's scores (None when ``"terms"`` is not used)."""
        members = self.topics_.member_evidence(terms) if members is None else members
        ev = Evidence.average(members)
        features = []
        for part in (members if self.per_member else [ev]):
            for k in self.evidence:
                if k not in _LAYER_KINDS:
                    features.append(getattr(part, k))
        if "pseudo" in self.evidence:
            features.append(self.pseudo_labels_.predict_proba(terms))
        if "terms" in self.evidence:
            if term_scores is None:
                layer = getattr(self, "term_layer_", None)
                term_scores = (layer.decision_function(terms) if layer is not None
                               else np.zeros_like(ev.shares))
            features.append(term_scores)
        return ev, np.stack(features, axis=2), term_scores

    def _raw_proba(self, terms, computed=None) -> tuple[np.ndarray, np.ndarray]:
        ev, F = computed if computed is not None else self._evidence(terms)[:2]
        P = self.decision_.predict_proba(design(F, self.fallback_index_))
        if getattr(self, "adapted_prior_", None) is not None:
            P = reweight_prior(P, self.fallback_index_, self.adapted_prior_, self.prior_)
        P[~ev.has_terms] = 0.0
        P[~ev.has_terms, self.fallback_index_] = 1.0
        return P, ev.has_terms

    def _counted(self, terms) -> tuple[list, np.ndarray | None]:
        """The topic members' evidence and the term layer's scores of *terms*, every
        vectoriser's matrix counted in one pass (:class:`TermCounter`)."""
        layer = getattr(self, "term_layer_", None) if "terms" in self.evidence else None
        vecs = self.topics_.vectorizers() + ([layer.vectorizer_] if layer is not None else [])
        counter = self.__dict__.get("_cache_counter")
        if counter is None or not counter.serves(vecs):
            counter = self.__dict__["_cache_counter"] = TermCounter(vecs)
        matrices = counter.transform(terms)
        members = self.topics_.member_evidence(terms, matrices[:len(self.topics_.scorers_)])
        scores = None if layer is None else layer.decision_function(terms, matrices[-1])
        return members, scores

    def _outputs(self, X):
        check_is_fitted(self)
        terms = self.featurizer_.transform(X)
        members, term_scores = self._counted(terms)
        ev, F, term_scores = self._evidence(terms, members, term_scores)
        P, has = self._raw_proba(terms, (ev, F))
        if getattr(self, "label_model_", None) is not None:
            Y = self.label_model_.predict(members, P, extra=term_scores)
        else:
            anchors = cal.anchor_vector(self.calibration_.get("anchor_thresholds"),
                                        list(self.classes_), self.taxonomy_.fallback)
            Y = cal.label_matrix(P, ev.anchors, self.calibration_["label_threshold"], anchors)
        labels = [[str(self.classes_[i]) for i in np.argsort(-row, kind="stable") if yes[i]]
                  for row, yes in zip(P, Y)]
        return P, has, labels, members

    def predict_proba(self, X: Sequence[Any]) -> np.ndarray:
        """P(domain) per paragraph, columns in ``classes_`` (taxonomy) order."""
        return self._outputs(X)[0]

    def predict(self, X: Sequence[Any]) -> np.ndarray:
        """Primary domain id of each paragraph."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def predict_labels(self, X: Sequence[Any]) -> list[list[str]]:
        """Label set of each paragraph: primary first, then by probability."""
        return self._outputs(X)[2]

    def classify(self, X: Sequence[Any]) -> list[dict]:
        """``{domain, domains, cats, status, topic}`` per paragraph; ``status`` is ``ok``,
        ``empty`` (blank text) or ``no_terms`` (no known content word); ``topic`` is
        ``{model: heaviest topic}`` (None without terms), from the same topic transform."""
        items = list(X)
        P, has, labels, members = self._outputs(items)
        topics = self.topics_.topics_of(members)
        out = []
        for item, row, labs, ok, topic in zip(items, P, labels, has, topics):
            blank = item is None or (isinstance(item, str) and not item.strip())
            out.append({"domain": labs[0], "domains": labs,
                        "cats": {str(d): round(float(v), 6) for d, v in zip(self.classes_, row)},
                        "status": "ok" if ok else ("empty" if blank else "no_terms"),
                        "topic": topic})
        return out

    def score(self, X: Sequence[Any], y: Sequence[Any], sample_weight=None) -> float:
        """Primary accuracy; a target that is a set accepts any of its ids."""
        y = list(y)
        targets = parse_targets(y, len(y), list(self.classes_))
        if not targets.labeled.any():
            raise ConfigError("score needs at least one labeled target (a domain id, a label list "
                              "or a set of acceptable ids).")
        pred = np.argmax(self.predict_proba(X), axis=1)
        hit = targets.acceptable[np.arange(len(pred)), pred] > 0
        w = np.ones(len(hit)) if sample_weight is None else np.asarray(sample_weight, float)
        return float((w * hit)[targets.labeled].sum() / w[targets.labeled].sum())

    # --------------------------------------------------------------- inspection
    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The vocabulary (unigram and joined-bigram terms) the topics are built on."""
        check_is_fitted(self)
        return self.topics_.get_feature_names_out()

    def get_topic_info(self) -> pd.DataFrame:
        """One row per topic: model, topic, name, domain, seeded, size, top_terms, npmi."""
        check_is_fitted(self)
        return self.topics_.get_topic_info()

    def dominant_topics(self, X: Sequence[Any]) -> list[dict[str, str] | None]:
        """``{model: topic name}`` of each paragraph's heaviest topics (for inspection)."""
        check_is_fitted(self)
        return self.topics_.dominant_topics(self.featurizer_.transform(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.single_output = True
        tags.non_deterministic = False
        return tags


"""Livelihood-domain classification on scikit-learn (never imports spaCy).

Public API: :class:`DomainClassifier` and its steps (:class:`TermFeaturizer`,
:class:`TopicEnsemble`, :class:`SeededTopicScorer`, :class:`SeededNMF`,
:class:`SeededLDA`, :class:`PseudoLabelLayer`, :class:`ConditionalLogit`),
:func:`load_taxonomy`, :func:`load_domain_model`, :func:`save_domain_model`,
:func:`score`.
"""
from __future__ import annotations

from .artifact import default_model_dir, load_domain_model, save_domain_model
from .classifier import DomainClassifier
from .decision import ConditionalLogit
from .ensemble import TopicEnsemble
from .featurize import TermFeaturizer
from .metrics import score
from .pseudo import PseudoLabelLayer
from .calibration import ThresholdLabels
from .labels import LabelSetModel
from .scorer import SeededTopicScorer
from .taxonomy import Domain, Taxonomy, load_taxonomy
from .terms import terms_from_tagged
from .topics import SeededLDA, SeededNMF

__all__ = ["ConditionalLogit", "Domain", "DomainClassifier", "LabelSetModel", "PseudoLabelLayer",
           "SeededLDA", "ThresholdLabels",
           "SeededNMF", "SeededTopicScorer", "Taxonomy", "TermFeaturizer", "TopicEnsemble",
           "default_model_dir", "load_domain_model", "load_taxonomy", "save_domain_model", "score",
           "terms_from_tagged"]

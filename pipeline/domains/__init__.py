"""Livelihood-domain classification on scikit-learn (never imports spaCy).

Public API: :func:`load_taxonomy`, :class:`DomainModel`, :class:`SeededNMF`,
:class:`SeededLDA`, :func:`terms_from_tagged`, :func:`load_domain_model`,
:func:`save_domain_model`, :func:`score`.
"""
from __future__ import annotations

from .artifact import default_model_dir, load_domain_model, save_domain_model
from .metrics import score
from .model import DomainModel
from .taxonomy import Domain, Taxonomy, load_taxonomy
from .terms import terms_from_tagged
from .topics import SeededLDA, SeededNMF

__all__ = ["Domain", "DomainModel", "SeededLDA", "SeededNMF", "Taxonomy", "default_model_dir",
           "load_domain_model", "load_taxonomy", "save_domain_model", "score", "terms_from_tagged"]

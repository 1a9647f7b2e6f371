"""Reading files of a public repository at a pinned commit, from a git clone or a bare snapshot.

Blobs are read with the `git` binary (`cat-file`), so a checkout is not needed and the work tree, if any,
is never looked at: only the pinned commit counts.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


class SnapshotError(Exception):
    """A snapshot, its pinned commit or a file at that commit is missing; the message says which and how."""


@dataclass(frozen=True)
class Pin:
    repo: str
    """owner/name on GitHub."""
    commit: str

    @property
    def folder(self) -> str:
        """The snapshot's folder name under --snapshots: owner+name."""
        return self.repo.replace("/", "+")

    def clone_commands(self, where: str) -> str:
        """Shell commands that make a clone at `where` with the pinned commit checked out."""
        return (
            f"git clone https://github.com/{self.repo}.git {where}\n"
            f"git -C {where} checkout --quiet {self.commit}"
        )


def candidates(root: Path, pin: Pin) -> list[Path]:
    """Where a snapshot may be under root: a fetched snapshot (owner+name/repo) or a clone (owner+name)."""
    owner, name = pin.repo.split("/")
    return [root / pin.folder / "repo", root / pin.folder, root / owner / name]


def git_dir(path: Path) -> Path | None:
    """The git directory of a clone (its .git) or of a bare snapshot; None when path holds neither."""
    if (path / ".git").is_dir():
        return path / ".git"
    if (path / "HEAD").is_file() and (path / "objects").is_dir():
        return path
    return None


class Snapshot:
    """One repository at one pinned commit."""

    def __init__(self, pin: Pin, gitdir: Path) -> None:
        self.pin = pin
        self.gitdir = gitdir

    @classmethod
    def locate(cls, pin: Pin, root: Path, override: Path | None = None) -> Snapshot:
        """The snapshot of pin under root (or at override), with its pinned commit present."""
        looked = [override] if override else candidates(root, pin)
        for path in looked:
            found = git_dir(path)
            if found:
                snapshot = cls(pin, found)
                snapshot.check_commit()
                return snapshot
        raise SnapshotError(
            f"no snapshot of {pin.repo} (looked in {', '.join(str(p) for p in looked)}); get it with:\n"
            + pin.clone_commands(str(override or root / pin.folder))
        )

    def git(self, *args: str) -> bytes:
        done = subprocess.run(["git", "--git-dir", str(self.gitdir), *args], capture_output=True, check=False)
        if done.returncode != 0:
            reason = done.stderr.decode(errors="replace").strip()
            raise SnapshotError(f"git {' '.join(args)} failed in {self.gitdir}: {reason}")
        return done.stdout

    def has(self, spec: str) -> bool:
        return (
            subprocess.run(
                ["git", "--git-dir", str(self.gitdir), "cat-file", "-e", spec], capture_output=True
            ).returncode
            == 0
        )

    def check_commit(self) -> None:
        if not self.has(self.pin.commit + "^{commit}"):
            raise SnapshotError(
                f"{self.gitdir} holds {self.pin.repo} but not its pinned commit {self.pin.commit} "
                "(a shallow clone? run `git fetch --unshallow` there)"
            )

    def missing(self, path: str) -> SnapshotError:
        return SnapshotError(
            f"{self.pin.repo} at {self.pin.commit} has no readable file {path} in {self.gitdir} "
            "(a snapshot that leaves out large files? clone the repository in full)"
        )

    def read(self, path: str) -> bytes:
        """The file at the pinned commit."""
        if not self.has(f"{self.pin.commit}:{path}"):
            raise self.missing(path)
        return self.git("cat-file", "blob", f"{self.pin.commit}:{path}")

    def list(self, folder: str = "") -> list[str]:
        """Every file path under folder (the whole tree when empty) at the pinned commit, sorted. Paths
        are NUL-separated (-z), so names with spaces or non-ASCII letters come back unquoted."""
        names = self.git(
            "ls-tree", "-r", "-z", "--name-only", self.pin.commit, *(["--", folder] if folder else [])
        )
        paths = sorted(name.decode("utf-8") for name in names.split(b"\0") if name)
        if not paths:
            raise self.missing(folder + "/")
        return paths

    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(path, content) of many files at the pinned commit through one `git cat-file --batch`."""
        process = subprocess.Popen(
            ["git", "--git-dir", str(self.gitdir), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            for path in paths:
                process.stdin.write(f"{self.pin.commit}:{path}\n".encode())
                process.stdin.flush()
                header = process.stdout.readline().decode("utf-8").split()
                if len(header) < 3 or header[-1] == "missing":
                    raise self.missing(path)
                data = process.stdout.read(int(header[2]))
                process.stdout.read(1)
                yield path, data
        finally:
            process.stdin.close()
            process.stdout.close()
            process.wait()

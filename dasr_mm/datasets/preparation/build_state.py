"""What a data-root folder holds (:func:`inspect_build`, a query that only
reads) and how to remove a build from it (:func:`clear_build`, the only
function here that deletes).

A build is recorded by two files: ``.prepare_in_progress.json`` (written
first, removed last) and ``sources.json`` (written last); both store the
build parameters.
"""
import json
import os
import os.path as osp
import shutil
from dataclasses import dataclass
from enum import Enum
from typing import Tuple

SOURCES_FILE = 'sources.json'
README_FILE = 'README.txt'
IN_PROGRESS_FILE = '.prepare_in_progress.json'
# everything a build writes (and clear_build removes)
MANAGED = ('hr', 'real_lr', 'val', README_FILE, SOURCES_FILE,
           IN_PROGRESS_FILE)


class BuildState(Enum):
    """What :func:`inspect_build` found in a data-root folder."""
    EMPTY = 'empty'  # nothing of MANAGED
    COMPLETE = 'complete'  # sources.json with the parameters, every file
    INCOMPLETE = 'incomplete'  # sources.json with the parameters, files lost
    INTERRUPTED = 'interrupted'  # in-progress file with the parameters
    OTHER_PARAMETERS = 'other parameters'  # a build made with others
    FOREIGN = 'foreign'  # MANAGED names present, no record of a build


@dataclass(frozen=True)
class BuildInspection:
    """Result of :func:`inspect_build`.

    Attributes:
        state (BuildState): What the folder holds.
        message (str): One sentence for the user naming what was found
            (empty for ``EMPTY`` and ``COMPLETE``).
        missing (Tuple[str, ...]): ``INCOMPLETE``: the recorded files that are
            gone, relative to the folder.
    """
    state: BuildState
    message: str = ''
    missing: Tuple[str, ...] = ()


def inspect_build(out_dir: str, params: dict) -> BuildInspection:
    """Compare what ``out_dir`` holds with a build of ``params`` (JSON
    normalised); reads, never writes. ``sources.json`` is looked at before
    the in-progress file."""
    for name, what in ((SOURCES_FILE, 'a build'),
                       (IN_PROGRESS_FILE, 'an interrupted build')):
        path = osp.join(out_dir, name)
        if not osp.isfile(path):
            continue
        with open(path) as f:
            stored = json.load(f)
        if stored.get('parameters') != params:
            return BuildInspection(
                BuildState.OTHER_PARAMETERS,
                f'{out_dir!r} holds {what} with other parameters ({name})')
        if name == IN_PROGRESS_FILE:
            return BuildInspection(
                BuildState.INTERRUPTED,
                f'{out_dir}: an interrupted build with the same parameters')
        missing = [f for f in stored['files']
                   if not osp.isfile(osp.join(out_dir, f))]
        if not missing:
            return BuildInspection(BuildState.COMPLETE)
        return BuildInspection(
            BuildState.INCOMPLETE,
            f'{out_dir}: {len(missing)} file(s) of the build are missing '
            f'(e.g. {missing[0]})', tuple(missing))
    present = [n for n in MANAGED if osp.exists(osp.join(out_dir, n))]
    if present:
        return BuildInspection(
            BuildState.FOREIGN,
            f'{out_dir!r} already holds {", ".join(present)} not made by '
            f'this tool (no {SOURCES_FILE})')
    return BuildInspection(BuildState.EMPTY)


def clear_build(out_dir: str) -> None:
    """Delete every name of :data:`MANAGED` in ``out_dir`` (other files
    stay)."""
    for name in MANAGED:
        path = osp.join(out_dir, name)
        if osp.isdir(path):
            shutil.rmtree(path)
        elif osp.exists(path):
            os.remove(path)

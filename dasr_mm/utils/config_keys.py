"""Unknown config keys are errors that name the key, where it is and the
closest valid key (a typo must never be silently ignored)."""
import difflib
from typing import Iterable, List, Optional, Sequence


class ConfigKeyError(ValueError):
    """One or more config keys are not understood; ``problems`` lists one
    line per key (its dotted path, the type it configures, a suggestion)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = '\n'.join(f'  - {p}' for p in self.problems)
        super().__init__(
            f'{len(self.problems)} unknown config key(s):\n{lines}')


def closest_key(key: str, valid: Iterable[str]) -> Optional[str]:
    """The valid key nearest to ``key`` (``difflib``), or None."""
    found = difflib.get_close_matches(key, sorted(valid), n=1, cutoff=0.6)
    return found[0] if found else None


def unknown_key_problems(keys: Iterable[str],
                         valid: Iterable[str],
                         *,
                         where: str,
                         owner: str,
                         noun: str = 'key') -> List[str]:
    """One message per key of ``keys`` not in ``valid``.

    Args:
        keys: The keys given in the config.
        valid: The keys ``owner`` accepts.
        where: Dotted config path of the dict holding ``keys`` (e.g.
            ``'model.train_cfg'``).
        owner: What reads the dict (e.g. ``"DomainDistanceAwareSR's
            train_cfg"``).
        noun: What a key is to ``owner`` (``'key'``, ``'argument'``).
    """
    valid = sorted(set(valid))
    problems = []
    for key in keys:
        if key in valid:
            continue
        path = f'{where}.{key}' if where else key
        guess = closest_key(key, valid)
        hint = f"did you mean '{guess}'? " if guess else ''
        listed = ', '.join(valid) if valid else 'none'
        problems.append(f"{path}: {owner} has no {noun} '{key}'; {hint}"
                        f'valid {noun}s: {listed}')
    return problems


def check_keys(keys: Iterable[str], valid: Iterable[str], *, where: str,
               owner: str) -> None:
    """Raise :class:`ConfigKeyError` if a key of ``keys`` is not valid."""
    problems = unknown_key_problems(keys, valid, where=where, owner=owner)
    if problems:
        raise ConfigKeyError(problems)

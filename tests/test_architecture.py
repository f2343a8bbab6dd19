"""The import rule of docs/architecture.md, checked on every module of the
package: imports go from engine to apis to {models, datasets, evaluation}
to utils, never up and never sideways."""
import ast
import os
import os.path as osp

import dasr_mm

PACKAGE = osp.dirname(dasr_mm.__file__)
# part -> the parts of ours it may import (besides itself)
MAY_IMPORT = {
    'engine': {'apis', 'models', 'datasets', 'evaluation', 'utils'},
    'apis': {'models', 'datasets', 'evaluation', 'utils'},
    'models': {'utils'},
    'datasets': {'utils'},
    'evaluation': {'utils'},
    'utils': set(),
}


def _imported_parts(path: str, part: str) -> set:
    """Parts of dasr_mm that the module at ``path`` imports (absolute
    ``dasr_mm.X`` and relative imports)."""
    module_dir = osp.relpath(osp.dirname(path), PACKAGE).split(os.sep)
    parts = set()
    for node in ast.walk(ast.parse(open(path).read(), path)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or '']
        elif isinstance(node, ast.ImportFrom):  # relative
            base = module_dir[:len(module_dir) - (node.level - 1)]
            names = ['dasr_mm.' + '.'.join(base + [node.module or ''])]
        else:
            continue
        for name in names:
            pieces = name.split('.')
            if pieces[0] == 'dasr_mm' and len(pieces) > 1 and pieces[1]:
                parts.add(pieces[1])
    return parts - {part}


def test_no_module_imports_up_or_sideways():
    checked, wrong = 0, []
    for part, allowed in MAY_IMPORT.items():
        for dirpath, _, names in os.walk(osp.join(PACKAGE, part)):
            for name in names:
                if name.endswith('.py'):
                    path = osp.join(dirpath, name)
                    checked += 1
                    for other in _imported_parts(path, part) - allowed:
                        wrong.append(
                            f'{osp.relpath(path, PACKAGE)} imports {other}')
    assert checked > 30  # every part was walked
    assert not wrong, wrong


def test_every_part_of_the_package_is_covered():
    parts = {
        n for n in os.listdir(PACKAGE)
        if osp.isdir(osp.join(PACKAGE, n)) and not n.startswith('__')
    }
    assert parts == set(MAY_IMPORT)

"""The layout of ``stories/`` holds: imports follow the allowed arrows, with no circle.

Read from the source with ``ast``, so it needs no database and runs no code. The arrows are the
ones drawn in docs/architecture.md ("The house"); a new arrow is a design decision, made there
and here together.
"""

import ast
from pathlib import Path

import pytest

STORIES = Path(__file__).resolve().parent.parent / "stories"

# Each part of the app, and the parts it may import. A part is a subpackage of stories/ or one of
# its top-level modules; "search.text" and "pagecache.store" are named apart because they are
# leaves that the models may use, where the rest of their package may not be used by the models;
# "pagecache.fragments", beside the store, is what the pages keep per story.
ALLOWED = {
    part: set(allowed.split())
    for part, allowed in {
        "signals": "",
        "converters": "",
        "health": "",
        "moderators": "",
        "safety": "",
        "search.text": "",
        "pagecache.store": "",
        "pagecache.fragments": "pagecache.store",
        "recordings": "models",
        "models": "signals safety recordings search.text pagecache.store",
        "services": "models safety",
        "search": "models signals search.text",
        "pagecache": "models signals pagecache.store pagecache.fragments",
        "opendata": "models safety recordings search search.text pagecache.store converters",
        "pages": "models services safety recordings search search.text opendata pagecache.store"
        " pagecache.fragments converters",
        "admin": "models safety recordings search.text pagecache.store",
        "templatetags": "pagecache.store",
        "management": "models moderators search search.text pagecache.store signin opendata",
        "signin": "models",
        "apps": "moderators search pagecache signin",
    }.items()
}

# Modules that check or cut what a narrator sends, with no database: they never import a model
# (nor anything else of the archive's, but each other).
LEAVES = {
    "stories.safety.shield",
    "stories.safety.privacy",
    "stories.safety.limits",
    "stories.recordings.audio",
    "stories.recordings.audio_tags",
    "stories.recordings.mp4",
    "stories.recordings.webm",
    "stories.recordings.ranges",
    "stories.recordings.transcripts",
    "stories.recordings.uploads",
    "stories.search.text",
}

# Django's own idiom: an app connects its receivers when it is ready, not when it is imported.
IMPORTS_ALLOWED_IN_FUNCTIONS = {("stories.apps", "ready")}


def source_modules():
    for path in sorted(STORIES.rglob("*.py")):
        relative = path.relative_to(STORIES.parent).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = list(relative.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        yield ".".join(parts), is_package, ast.parse(path.read_text(), str(path))


MODULES = {name: (is_package, tree) for name, is_package, tree in source_modules()}


def imported_names(module, is_package, node):
    """The modules of stories/ an import statement names (a name imported from a package counts
    as its submodule when there is one)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.startswith("stories")]
    if node.level:
        base = module.split(".")
        if not is_package:
            base.pop()
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if not source.startswith("stories"):
        return []
    return [
        f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
        for alias in node.names
    ]


def module_imports(module):
    """Module-level imports of ``module`` (and, apart, those made inside a function)."""
    is_package, tree = MODULES[module]
    at_top, in_functions = set(), []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    names = imported_names(module, is_package, inner)
                    in_functions += [(node.name, name) for name in names]
    function_nodes = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in function_nodes:
            at_top.update(imported_names(module, is_package, node))
    return at_top, in_functions


def part_of(module):
    """The part of the app a module belongs to (a key of ALLOWED)."""
    parts = module.split(".")[1:]
    if not parts:
        return None
    two = ".".join(parts[:2])
    return two if two in ALLOWED else parts[0]


GRAPH = {module: module_imports(module)[0] for module in MODULES}


def test_every_part_of_the_app_has_its_arrows_written_down():
    unknown = {part_of(module) for module in MODULES} - set(ALLOWED) - {None}
    assert not unknown, f"Add these parts to ALLOWED (and docs/architecture.md): {unknown}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_follow_the_allowed_arrows(module):
    here = part_of(module)
    forbidden = sorted(
        imported
        for imported in GRAPH[module]
        if (there := part_of(imported)) not in (None, here)
        and there not in ALLOWED.get(here, set())
    )
    assert not forbidden, f"{module} ({here}) may not import {forbidden}"


@pytest.mark.parametrize("module", sorted(LEAVES))
def test_leaf_modules_import_nothing_of_the_archive_but_each_other(module):
    assert module in MODULES, f"{module} is gone: update LEAVES"
    assert GRAPH[module] <= LEAVES, f"{module} imports {sorted(GRAPH[module] - LEAVES)}"


def test_no_import_is_hidden_inside_a_function():
    hidden = [
        f"{module}.{function}() imports {name}"
        for module in MODULES
        for function, name in module_imports(module)[1]
        if (module, function) not in IMPORTS_ALLOWED_IN_FUNCTIONS
    ]
    assert not hidden, hidden


def test_the_import_graph_has_no_circle():
    # Importing a package runs its __init__, so a module depends on the packages above it too.
    def depends_on(module):
        for imported in GRAPH[module]:
            parts = imported.split(".")
            for end in range(2, len(parts) + 1):
                ancestor = ".".join(parts[:end])
                # A package's own modules run while its __init__ runs: no circle with it.
                if ancestor in MODULES and not f"{module}.".startswith(f"{ancestor}."):
                    yield ancestor

    visiting, done, circles = [], set(), []

    def visit(module):
        if module in done:
            return
        if module in visiting:
            circles.append(visiting[visiting.index(module) :] + [module])
            return
        visiting.append(module)
        for imported in depends_on(module):
            visit(imported)
        visiting.pop()
        done.add(module)

    for module in sorted(MODULES):
        visit(module)
    assert not circles, " ; ".join(" -> ".join(circle) for circle in circles)


def test_the_layout_test_sees_the_whole_app():
    # A broken reader would pass every test above: check it finds what is certainly there.
    assert "stories.models.story" in MODULES and "stories.pages.urls" in MODULES
    assert "stories.models.story" in GRAPH["stories.models"]
    assert part_of("stories.search.text") == "search.text"
    assert part_of("stories.search.receivers") == "search"


def test_no_module_is_longer_than_a_reader_can_hold():
    longest = {
        str(path.relative_to(STORIES.parent)): len(path.read_text().splitlines())
        for path in STORIES.rglob("*.py")
        if "migrations" not in path.parts
    }
    too_long = {path: lines for path, lines in longest.items() if lines > 600}
    assert not too_long, too_long

"""The README's "Layout" section names every entry of `ls exaroutes` (and nothing that is gone)."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def layout_block():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Layout"):]
    return section[section.index("```") + 3:section.index("```", section.index("```") + 3)]


def test_readme_layout_matches_the_package():
    entries = {path.name + ("/" if path.is_dir() else "") for path in (ROOT / "exaroutes").iterdir()
               if path.name != "__pycache__" and not path.name.endswith(".egg-info")}
    # a name is a column entry: after the indent or a wide gap, followed by a wide gap
    named = set(re.findall(r"(?:(?<=^)|(?<=\s\s))([a-z_]+(?:\.py|/))(?=\s\s)", layout_block(), re.MULTILINE))
    named.discard("exaroutes/")
    assert entries == named

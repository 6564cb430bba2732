"""The documentation site's promises: every public loss has a page, and every
Python example on the site runs (`mkdocs build --strict`, in CI, checks the
links and that each docstring renders).
"""

import pathlib
import re

import pytest

import keras_losses

DOCS = pathlib.Path(__file__).parent.parent / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
BLOCKS = [
    (page, number, code)
    for page in PAGES
    for number, code in enumerate(
        re.findall(r"^```python\n(.*?)^```", page.read_text(), re.S | re.M)
    )
]


def test_every_public_loss_has_an_api_entry():
    documented = set()
    for page in PAGES:
        documented.update(
            re.findall(r"^::: keras_losses\.(\w+)$", page.read_text(), re.M)
        )
    assert set(keras_losses.__all__) <= documented, sorted(
        set(keras_losses.__all__) - documented
    )


@pytest.mark.parametrize(
    "page, number, code",
    BLOCKS,
    ids=[f"{page.relative_to(DOCS)}#{number}" for page, number, _ in BLOCKS],
)
def test_example_runs(page, number, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples may save files
    exec(compile(code, f"{page.name} example {number}", "exec"), {})

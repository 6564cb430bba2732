"""Every notebook in notebooks/ runs top to bottom in a fresh kernel.

The notebooks write the README's pictures to `docs/images/`, or to the folder
in `KERAS_LOSSES_IMAGES`: the test points that at a temporary folder and
checks that each picture a notebook names is written. `python -m
tests.test_notebooks` re-executes them, saves the outputs (without the
backends' start-up log lines on stderr) for browsing and rewrites
`docs/images/`.
"""

import pathlib
import re

import pytest

NOTEBOOKS = sorted(
    (pathlib.Path(__file__).parent.parent / "notebooks").glob("*.ipynb")
)


def execute(path, cwd=None):
    """Run the notebook at `path` in a fresh kernel started in `cwd`.

    By default in the notebook's folder (where `../docs/images` is the
    README's pictures); the test passes its own temporary folder, so that
    concurrent runs (CI runs two suites at once) never share a file the
    notebooks write, such as 01_quickstart's saved model.
    """
    import nbclient
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        record_timing=False,  # no timestamps in the saved notebooks
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    return notebook


def pictures(notebook):
    """The PNG names a notebook saves under `IMAGES`."""
    sources = "\n".join(cell.source for cell in notebook.cells)
    return re.findall(r'IMAGES / "([\w.-]+\.png)"', sources)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs(path, tmp_path, monkeypatch):
    pytest.importorskip("nbclient", reason="nbclient is in the test extra")
    monkeypatch.setenv("KERAS_LOSSES_IMAGES", str(tmp_path))
    # The kernel inherits the environment, and works in tmp_path.
    notebook = execute(path, cwd=tmp_path)
    for name in pictures(notebook):
        with open(tmp_path / name, "rb") as picture:
            assert picture.read(8) == b"\x89PNG\r\n\x1a\n", name


if __name__ == "__main__":
    import time

    import nbformat

    for path in NOTEBOOKS:
        start = time.perf_counter()
        notebook = execute(path)
        seconds = time.perf_counter() - start
        for cell in notebook.cells:
            cell.metadata.pop("execution", None)  # timestamps
            if cell.cell_type == "code":
                cell.outputs = [
                    output
                    for output in cell.outputs
                    if output.get("name") != "stderr"
                ]
        nbformat.write(notebook, path)
        print(f"executed {path} in {seconds:.0f} s")

"""Every notebook in notebooks/ runs top to bottom in a fresh kernel.

`python -m tests.test_notebooks` re-executes them and saves the outputs
(without the backends' start-up log lines on stderr) for browsing.
"""

import pathlib

import pytest

NOTEBOOKS = sorted(
    (pathlib.Path(__file__).parent.parent / "notebooks").glob("*.ipynb")
)


def execute(path):
    import nbclient
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    return notebook


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs(path):
    pytest.importorskip("nbclient", reason="nbclient is in the test extra")
    execute(path)


if __name__ == "__main__":
    import nbformat

    for path in NOTEBOOKS:
        notebook = execute(path)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs = [
                    output
                    for output in cell.outputs
                    if output.get("name") != "stderr"
                ]
        nbformat.write(notebook, path)
        print(f"executed {path}")

#!/usr/bin/env python3
"""Clears outputs, execution counts and execution metadata from notebooks before they are committed:

    python3 notebooks/strip_outputs.py notebooks/*.ipynb

Standard library only. notebooks/tests/test_stored_notebooks.py fails while a stored notebook has outputs.
"""
import json
import sys


def strip(path: str) -> bool:
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    before = json.dumps(nb, sort_keys=True)
    for cell in nb.get("cells", []):
        cell.get("metadata", {}).pop("execution", None)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.get("metadata", {}).pop("papermill", None)
    if json.dumps(nb, sort_keys=True) == before:
        return False
    with open(path, "w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return True


if __name__ == "__main__":
    for name in sys.argv[1:]:
        if strip(name):
            print(f"stripped {name}")

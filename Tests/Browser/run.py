#!/usr/bin/env python3
"""Runs the editor's browser tests: starts the scripted LLM server and the real `windflow serve` (binary from
$WINDFLOW_BIN, default .build/debug/windflow) on a temporary database, drives headless Chromium against it, and stops
everything afterwards, also when a test fails. Screenshots go to .build/screenshots/.

  Tests/Browser/run.py [-k PATTERN] [--editor-dir Editor] [--update-docs-image]

--editor-dir serves the editor from a folder instead of the binary's bundled copy (while working on it);
--update-docs-image copies the editor screenshot to docs/images/editor.png."""
import argparse
import shutil
import sys
import time
import unittest
import pathlib

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import os  # noqa: E402
from harness import Environment, ROOT, SCREENSHOTS, start_browser  # noqa: E402
from editor_case import EditorCase  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", dest="patterns", action="append", help="only tests whose name contains this")
    parser.add_argument("--editor-dir", help="serve the editor from this folder")
    parser.add_argument("--update-docs-image", action="store_true", help="copy the editor screenshot to docs/images/editor.png")
    options = parser.parse_args()
    if options.editor_dir:
        os.environ["WINDFLOW_EDITOR_DIR_FOR_TESTS"] = str(pathlib.Path(options.editor_dir).resolve())

    loader = unittest.TestLoader()
    if options.patterns:
        loader.testNamePatterns = [f"*{pattern}*" for pattern in options.patterns]
    suite = loader.discover(str(pathlib.Path(__file__).resolve().parent), pattern="test_*.py")

    started = time.monotonic()
    environment = Environment()
    driver = None
    try:
        environment.start()
        print(f"windflow at {environment.base}, scripted LLM on port {environment.llm_port}", flush=True)
        driver = start_browser()
        EditorCase.env = environment
        EditorCase.driver = driver
        result = unittest.TextTestRunner(verbosity=2).run(suite)
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception as error:
                print(f"closing the browser: {error}", file=sys.stderr)
        environment.stop()
    print(f"browser tests took {time.monotonic() - started:.1f}s; screenshots in {SCREENSHOTS}")
    if options.update_docs_image and (SCREENSHOTS / "editor.png").exists():
        (ROOT / "docs" / "images").mkdir(parents=True, exist_ok=True)
        shutil.copy(SCREENSHOTS / "editor.png", ROOT / "docs" / "images" / "editor.png")
        print("docs/images/editor.png updated")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())

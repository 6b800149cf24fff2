"""Build hook: ship the validated knowledge as a fast-loading cache inside the wheel.

At wheel build time the packaged JSON is loaded and validated exactly as at run time, and the
result is written to ``rlsnutrition/data/knowledge.pickle``. At run time the loader uses it only
if its fingerprint matches the JSON files it ships beside (see ``rlsnutrition/_knowledge.py``).
A build fails here, not on a user's machine, if the data does not validate.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class KnowledgeCacheHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        out = os.path.join(tempfile.mkdtemp(prefix="rlsnutrition-"), "knowledge.pickle")
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); "
            "from rlsnutrition._knowledge import write_cache; write_cache(sys.argv[2])"
        )
        src = os.path.join(self.root, "src")
        subprocess.run([sys.executable, "-c", code, src, out], check=True)
        build_data["force_include"][out] = "rlsnutrition/data/knowledge.pickle"

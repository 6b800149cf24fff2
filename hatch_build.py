"""Build hook: ship the validated knowledge inside the wheel as a plain Python module.

At wheel build time the packaged JSON is loaded and validated exactly as at run time (cattrs and
every cross-file check), then written as ``rlsnutrition/_knowledge_data.py``: the same records
as constructor calls, which the installer compiles to bytecode for the Python it installs on
(as phonenumbers ships its metadata). The JSON stays the source of truth: at run time the
module is used only while the fingerprint it records matches the JSON files and ``model.py``
it ships beside (see ``rlsnutrition/_knowledge.py``). A build fails here, not on a user's
machine, if the data does not validate.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class KnowledgeModuleHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        out = os.path.join(tempfile.mkdtemp(prefix="rlsnutrition-"), "_knowledge_data.py")
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); "
            "from rlsnutrition._generate import write_module; write_module(sys.argv[2])"
        )
        src = os.path.join(self.root, "src")
        subprocess.run([sys.executable, "-c", code, src, out], check=True)
        build_data["force_include"][out] = "rlsnutrition/_knowledge_data.py"

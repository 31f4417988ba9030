"""The production settings, unchanged except for STATIC_ROOT (a temporary folder).

kehui/settings.py fixes STATIC_ROOT to <project>/staticfiles; the load test collects the static
files into a temporary folder instead, so that it leaves nothing behind in the work tree.
"""

import os

from kehui.settings import *  # noqa: F403

STATIC_ROOT = os.environ["KEHUI_LOAD_STATIC_ROOT"]

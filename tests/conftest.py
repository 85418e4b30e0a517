import os
import sys

# case tables import the harness as `oracle`
sys.path.insert(0, os.path.dirname(__file__))

# Every traced, compiled and loaded graph goes through the IR verifier before it runs (csrc/ir/
# verify.c); set before pyts is imported, which reads it once.
os.environ.setdefault("PYTS_VERIFY", "1")

try:
    from hypothesis import settings

    settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
    settings.register_profile("dev", max_examples=30, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover
    pass

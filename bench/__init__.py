"""The benchmarks. They measure the registry's own work, so they run without quotas (anonymous
bulk checks, unlimited requests) unless ``GREENREG_QUOTAS`` says otherwise; the servers they
start inherit the setting."""

import os

os.environ.setdefault("GREENREG_QUOTAS", "off")

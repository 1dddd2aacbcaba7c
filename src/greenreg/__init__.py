"""greenreg: a public, verifiable registry of China's green-manufacturing designations."""

__version__ = "0.1.0"

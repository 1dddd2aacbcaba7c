"""The event vocabulary, the canonical encoding and the signatures: the registry's language."""

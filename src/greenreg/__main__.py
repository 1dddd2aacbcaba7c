"""``python -m greenreg`` runs the ``greenreg`` command."""

from greenreg.cli import main

main()

"""``python -m dispatch.cli``: the same as the ``rehabus`` command."""

from dispatch.cli import main

main()

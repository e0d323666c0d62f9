"""``python -m rehabus.cli``: the same as the ``rehabus`` command."""

from rehabus.cli import main

main()

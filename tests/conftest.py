"""Shared by every test folder.

pytest's default ("prepend") import mode puts the folder of each ``conftest.py`` on
``sys.path`` before importing it, so with this file any test module below ``tests/`` can
``from _instances import load``: the hand-checkable instances of ``tests/data``.
"""

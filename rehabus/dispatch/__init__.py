"""rehabus: dispatch optimization for Taiwan's rehabilitation buses (復康巴士)."""

__version__ = "0.1.0"
__all__ = ["__version__"]

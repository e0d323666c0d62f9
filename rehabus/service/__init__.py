"""The booking and dispatch service (FastAPI)."""

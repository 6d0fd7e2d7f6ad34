"""Streamlit pages beyond the chat: evaluation (human scoring) and maintenance (corpus and index)."""
from .evaluation import evaluation_page
from .maintenance import maintenance_page

__all__ = ["evaluation_page", "maintenance_page"]

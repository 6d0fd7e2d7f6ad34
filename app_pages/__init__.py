"""Streamlit page renderers for app.py (Streamlit only; the logic they show lives in netlm_rag)."""
from .chat import chat_page, clear_chat
from .evaluation import evaluation_page
from .maintenance import maintenance_page
from .sources import sources_page

__all__ = ["chat_page", "clear_chat", "evaluation_page", "maintenance_page", "sources_page"]

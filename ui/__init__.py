"""Streamlit helpers shared by the pages: cached loaders and small widgets. No page logic here."""

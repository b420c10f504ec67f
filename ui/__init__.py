"""Streamlit-aware glue shared by the pages; with pages/, the only code that imports streamlit."""

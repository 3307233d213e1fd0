"""AE Lab: an interactive companion to the lecture "Introduction to autoencoders" (NYU Deep Learning, week 7).

Run with `make run` (or `streamlit run app.py`). This file is only the router: it sets the page config
and registers the pages explicitly with st.navigation.
"""

import streamlit as st

st.set_page_config(page_title="AE Lab", page_icon=":material/auto_awesome:", layout="wide")

pages = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/repair.py", title="Repair", icon=":material/healing:", url_path="repair"),
]
st.navigation(pages).run()

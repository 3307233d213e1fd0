"""AE Lab: an interactive companion to the lecture "Introduction to autoencoders" (NYU Deep Learning, week 7).

Run with `make run` (or `streamlit run app.py`). This file is only the router: it sets the page config
and registers the pages explicitly with st.navigation. The pages live in app_pages/, not pages/: with a
pages/ folder, Streamlit 1.67 serves a direct link such as /repair from it as a legacy page, without
running this router (no page config, file names as the menu).
"""

import streamlit as st

from ui.loaders import limit_torch_threads

limit_torch_threads()
st.set_page_config(page_title="AE Lab", page_icon=":material/auto_awesome:", layout="wide")

pages = [
    st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("app_pages/repair.py", title="Repair", icon=":material/healing:", url_path="repair"),
    st.Page("app_pages/interpolate.py", title="Interpolate", icon=":material/timeline:", url_path="interpolate"),
    st.Page("app_pages/kernels.py", title="Kernels", icon=":material/grid_view:", url_path="kernels"),
    st.Page("app_pages/latent.py", title="Latent map", icon=":material/scatter_plot:", url_path="latent"),
    st.Page("app_pages/anomaly.py", title="Anomaly score", icon=":material/warning:", url_path="anomaly"),
    st.Page("app_pages/toy.py", title="Toy manifolds", icon=":material/gesture:", url_path="toy"),
    st.Page("app_pages/train.py", title="Train your own", icon=":material/model_training:", url_path="train"),
    st.Page("app_pages/benchmarks.py", title="Benchmarks", icon=":material/leaderboard:", url_path="benchmarks"),
]
st.navigation(pages).run()

"""AE Lab: an interactive companion to the lecture "Introduction to autoencoders" (NYU Deep Learning, week 7).

Run with `make run` (or `streamlit run app.py`). This file is only the router: it sets the process's one
thread per repair, the page config and the app's style rules, and registers the pages explicitly with
st.navigation, in sections: the lecture's pages in the lecture's order, then the pages that explore the
models, then the user's own models. Around every page run it restores, then saves, this browser's digits
and choices (ui.space), so a reload loses nothing. The pages live in
app_pages/, not pages/: with a pages/ folder, Streamlit 1.67 serves a direct link such as /repair from it
as a legacy page, without running this router (no page config, file names as the menu).
"""

import os
from pathlib import Path

# One OpenMP thread in every thread of this process, set before torch is first imported (below): Streamlit runs
# each rerun, fragment reruns included, in a new thread, where torch.set_num_threads(1) from an earlier run does
# not hold. On a server that may use two cores, two OpenMP threads per repair fought the other sessions for them.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import streamlit as st  # noqa: E402

from ui import space  # noqa: E402
from ui.loaders import limit_torch_threads  # noqa: E402

STYLE = Path(__file__).parent / "ui" / "style.css"

limit_torch_threads()
st.set_page_config(page_title="AE Lab", page_icon=":material/auto_awesome:", layout="wide")
st.html(STYLE)  # style only: Streamlit puts it in the page's event container, where it takes no space

pages = {
    "": [st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True)],
    "The lecture": [
        st.Page("app_pages/generate.py", title="Generate", icon=":material/auto_fix_high:", url_path="generate"),
        st.Page("app_pages/interpolate.py", title="Interpolate", icon=":material/timeline:", url_path="interpolate"),
        st.Page("app_pages/transform.py", title="Transformations", icon=":material/open_with:", url_path="transform"),
        st.Page("app_pages/superres.py", title="Super-resolution", icon=":material/zoom_in:", url_path="superres"),
        st.Page("app_pages/repair.py", title="Repair", icon=":material/healing:", url_path="repair"),
        st.Page("app_pages/compress.py", title="Compress", icon=":material/compress:", url_path="compress"),
        st.Page("app_pages/toy.py", title="Toy manifolds", icon=":material/gesture:", url_path="toy"),
        st.Page("app_pages/kernels.py", title="Kernels", icon=":material/grid_view:", url_path="kernels"),
    ],
    "Explore": [
        st.Page("app_pages/latent.py", title="Latent map", icon=":material/scatter_plot:", url_path="latent"),
        st.Page("app_pages/anomaly.py", title="Anomaly score", icon=":material/warning:", url_path="anomaly"),
        st.Page("app_pages/benchmarks.py", title="Benchmarks", icon=":material/leaderboard:", url_path="benchmarks"),
    ],
    "Your models": [
        st.Page("app_pages/train.py", title="Train your own", icon=":material/model_training:", url_path="train"),
    ],
}
space.restore_state()
try:
    st.navigation(pages).run()
finally:  # also when a page stops early (st.stop) or reruns
    space.save_state()

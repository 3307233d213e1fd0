"""AE Lab: an interactive companion to the lecture "Introduction to autoencoders" (NYU Deep Learning, week 7).

Run with `make run` (or `streamlit run app.py`). This file is only the router: it sets the process's one
thread per repair, the page config and the app's style rules, and registers the pages explicitly with
st.navigation, in sections: the lecture's pages in the lecture's order, then the pages that explore the
models, then the user's own models. Its sidebar holds the language choice (ui.i18n), mirrored in the URL's ?lang=
so a shared link opens in the sender's language; it comes first, so the page titles below and every page
read it. Around every page run it restores, then saves, this browser's digits and choices (ui.space), so a
reload loses nothing. The pages live in
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

from ui import i18n, space  # noqa: E402
from ui.i18n import _  # noqa: E402
from ui.loaders import limit_torch_threads  # noqa: E402

STYLE = Path(__file__).parent / "ui" / "style.css"

limit_torch_threads()
st.set_page_config(page_title="AE Lab", page_icon=":material/auto_awesome:", layout="wide")
st.html(STYLE)  # style only: Streamlit puts it in the page's event container, where it takes no space
i18n.language_menu()

pages = {
    "": [st.Page("app_pages/home.py", title=_("Home"), icon=":material/home:", default=True)],
    _("The lecture"): [
        st.Page("app_pages/generate.py", title=_("Generate"), icon=":material/auto_fix_high:", url_path="generate"),
        st.Page("app_pages/interpolate.py", title=_("Interpolate"), icon=":material/timeline:",
                url_path="interpolate"),
        st.Page("app_pages/transform.py", title=_("Transformations"), icon=":material/open_with:",
                url_path="transform"),
        st.Page("app_pages/superres.py", title=_("Super-resolution"), icon=":material/zoom_in:", url_path="superres"),
        st.Page("app_pages/repair.py", title=_("Repair"), icon=":material/healing:", url_path="repair"),
        st.Page("app_pages/compress.py", title=_("Compress"), icon=":material/compress:", url_path="compress"),
        st.Page("app_pages/toy.py", title=_("Toy manifolds"), icon=":material/gesture:", url_path="toy"),
        st.Page("app_pages/kernels.py", title=_("Kernels"), icon=":material/grid_view:", url_path="kernels"),
    ],
    _("Explore"): [
        st.Page("app_pages/latent.py", title=_("Latent map"), icon=":material/scatter_plot:", url_path="latent"),
        st.Page("app_pages/anomaly.py", title=_("Anomaly score"), icon=":material/warning:", url_path="anomaly"),
        st.Page("app_pages/benchmarks.py", title=_("Benchmarks"), icon=":material/leaderboard:",
                url_path="benchmarks"),
    ],
    _("Your models"): [
        st.Page("app_pages/train.py", title=_("Train your own"), icon=":material/model_training:", url_path="train"),
    ],
}
space.restore_state()
try:
    # Every page listed, as before the language menu joined the sidebar (else: ten and "View 3 more").
    st.navigation(pages, expanded=True).run()
finally:  # also when a page stops early (st.stop) or reruns
    space.save_state()

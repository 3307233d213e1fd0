"""Train your own: pick an architecture, a code size, a damage and a loss, train in the background with a
live loss curve, then use the model on every page, download it or measure it on Benchmarks."""

import plotly.graph_objects as go
import streamlit as st

from ae_core import checkpoint
from ae_core.config import CODELESS, ModelConfig, TrainConfig
from ae_core.jobs import JobView, TrainingJob
from ui import training
from ui.loaders import load_model
from ui.plots import fit_width

CODE_SIZES = (2, 5, 10, 20, 30, 50, 100, 200, 300, 500, 784, 1000)
LAMBDAS = (0.0, 0.0001, 0.001, 0.01, 0.1, 1.0)
TRAIN_SIZES = (1000, 5000, 10000, 20000, 60000)
DAMAGES = {"none": "None: a standard autoencoder", "dropout": "Dropout (the lecture's denoising noise)",
           "mask": "Masking (pixels set to the background)", "patch": "Grey patch at a random place",
           "gaussian": "Gaussian noise", "mixed": "A mix of all four, a new kind each batch"}
LEVEL_LABELS = {"dropout": "Drop rate p", "mask": "Masked share p", "patch": "Patch side / 28",
                "gaussian": "Noise σ", "mixed": "Level (rate, σ or side / 28)"}
POLL_S = 1.0

st.title("Train your own")
st.write(
    "Train an autoencoder with your own choices and compare it with the shipped ones. Training runs in the "
    "background on the server's CPU, so you can watch the loss fall here or go on exploring; when it ends, "
    "the model joins the model pickers on every page. It is this browser's: a reload or a new tab keeps it, "
    "other browsers never see it, and it is deleted a day after you last used the app. On all 60,000 digits "
    "an epoch takes about a second for a linear model and 10 to 15 seconds for a convolutional one."
)


def loss_figure(view: JobView, epochs: int) -> go.Figure:
    """The loss of the batches as they came (thin line) and of each finished epoch (dots), against batches;
    `epochs` is the number the run was asked for."""
    figure = go.Figure()
    if view.batch_losses:
        steps, losses = zip(*view.batch_losses, strict=True)
        figure.add_scatter(x=steps, y=losses, mode="lines", name="batch", line={"width": 1})
    if view.epoch_losses and view.steps_total:
        per_epoch = view.steps_total / epochs
        ends = [round(e * per_epoch) for e in range(1, len(view.epoch_losses) + 1)]
        figure.add_scatter(x=ends, y=view.epoch_losses, mode="markers+lines", name="epoch mean",
                           marker={"size": 8})
    figure.update_layout(height=260, xaxis_title="batch", yaxis_title="training loss",
                         yaxis={"type": "log", "dtick": "D2"})
    return fit_width(figure)


def describe(job: TrainingJob) -> str:
    """The run's settings in one line, e.g. "linear, d = 30, tied; dropout at 0.5; MSE; 5 epochs"."""
    m, t = job.model, job.training
    damage = "no damage" if t.noise == "none" else f"{t.noise} at {t.p:g}"
    extras = (", tied" if m.tied else "") + (f", λ = {t.contractive:g}" if t.contractive else "")
    epochs = f"{t.epochs} epoch" + ("s" if t.epochs > 1 else "")
    return f"{m.arch}, d = {m.code_size}{extras}; {damage}; {t.loss.upper()}; {epochs}"


@st.fragment(run_every=POLL_S)
def live_status() -> None:
    """The running or queued job, redrawn every second; a full rerun once it is over."""
    job = training.in_flight()
    if job is None:
        st.rerun()  # it finished since the last redraw: show it among the models
    view = job.snapshot()
    st.subheader(f"Training {job.name}")
    st.caption(describe(job))
    if view.state == "queued":
        queue = training.training_queue()
        st.info(f"Waiting for a free training slot: {queue.running()} running and {queue.ahead_of(job)} queued "
                f"ahead of yours. The server trains at most {queue.max_running} at a time, so that everyone's "
                "pages stay fast; yours starts by itself, and you can keep exploring meanwhile.",
                icon=":material/hourglass_top:")
    else:
        last = f" · loss {view.batch_losses[-1][1]:.4f}" if view.batch_losses else ""
        text = (f"Epoch {max(view.epoch, 1)} of {job.training.epochs}{last} · {view.seconds or 0:.0f} s"
                if view.steps_total else "Starting: loading the digits...")
        st.progress(view.fraction, text="Measuring the model on the test digits..." if view.measuring else text)
        if view.note:
            st.info(view.note, icon=":material/cloud_off:")
        if view.batch_losses:
            st.plotly_chart(loss_figure(view, job.training.epochs), key="train_live_curve",
                            config={"displayModeBar": False})
    if st.button("Cancel", key="train_cancel", icon=":material/stop:"):
        training.training_queue().cancel(job)


def settings() -> tuple[str, ModelConfig, TrainConfig, int] | None:
    """The training form; returns (name, model config, training config, digits) when "Start training"
    is pressed with valid settings, else None."""
    left, right = st.columns(2)
    with left:
        arch = st.segmented_control("Architecture", ["linear", "conv"], default="linear", key="train_arch",
                                    format_func={"linear": "Linear (the lecture's)", "conv": "Convolutional"}.get)
        arch = arch or "linear"
        code_size = st.select_slider("Code size d", CODE_SIZES, value=30, key="train_code",
                                     help="Under 784 the code is a bottleneck; at 784 and above it is over-complete.")
        linear = arch == "linear"
        tied = st.checkbox("Tied weights (decoder = encoder transposed)", key="train_tied", disabled=not linear,
                           help="Linear models only; the lecture's remark on PCA.")
        contractive = st.select_slider("Contractive λ", LAMBDAS, value=0.0, key="train_lambda", disabled=not linear,
                                       help="Weight of ‖∂h/∂x‖²: linear models only.")
        loss = st.radio("Loss", ["mse", "bce"], horizontal=True, key="train_loss",
                        format_func={"mse": "MSE", "bce": "Binary cross-entropy"}.get)
    with right:
        noise = st.selectbox("Damage during training", list(DAMAGES), format_func=DAMAGES.get, key="train_noise")
        p = st.slider(LEVEL_LABELS.get(noise, "Level"), 0.05, 0.95, 0.5, 0.05, key="train_p",
                      disabled=noise == "none")
        epochs = st.slider("Epochs", 1, 30, 5, key="train_epochs")
        digits = st.select_slider("Training digits", TRAIN_SIZES, value=60000, key="train_digits",
                                  format_func="{:,}".format)
        seed = st.number_input("Seed", 0, 2**31 - 1, 0, key="train_seed")
    suggested = f"my_{arch}_d{code_size}" + ("" if noise == "none" else f"_{noise}")
    name = st.text_input("Name", placeholder=suggested, key="train_name", max_chars=training.NAME_CHARS,
                         help="Letters, digits, _ and -; anything else becomes _.")
    busy = training.in_flight() is not None
    if len(training.jobs()) >= training.MAX_SESSION_MODELS and not busy:
        st.caption(f"You keep at most {training.MAX_SESSION_MODELS} models: starting another one removes the "
                   f"oldest, {training.jobs()[0].name}.")
    if not st.button("Start training", type="primary", icon=":material/play_arrow:", key="train_start",
                     disabled=busy, help="One training per browser at a time." if busy else None):
        return None
    try:
        model_cfg = ModelConfig(arch, code_size, tied and linear)
        train_cfg = TrainConfig(epochs=epochs, loss=loss, noise=noise, p=p, seed=int(seed),
                                contractive=contractive if linear else 0.0)
    except ValueError as err:
        st.error(str(err))
        return None
    return training.safe_name(name.strip() or suggested, training.taken_names()), model_cfg, train_cfg, digits


def your_models() -> None:
    """This browser's models, newest first: figures, loss curve, download, remove."""
    finished = [job for job in reversed(training.jobs()) if job.snapshot().finished]
    if not finished:
        return
    st.subheader("Your models")
    for job in finished:
        view = job.snapshot()
        with st.container(border=True):
            head, actions = st.columns([3, 2], vertical_alignment="center")
            badge = {"done": ":green-badge[done]", "stopped": ":orange-badge[stopped]",
                     "failed": ":red-badge[failed]"}[view.state]
            head.markdown(f"**{job.name}** {badge}  \n{describe(job)}")
            if view.metrics:
                head.caption(f"Test PSNR: clean {view.metrics['clean']['psnr']:.2f} dB, lecture dropout p = 0.5 "
                             f"{view.metrics['dropout']['psnr']:.2f} dB ({view.metrics['n']:,} test digits) · "
                             f"{view.seconds:.0f} s")
            if view.note:
                head.caption(view.note)
            if view.message:
                (head.error if view.state == "failed" else head.info)(view.message)
            if job.has_model:
                actions.download_button("Download checkpoint", checkpoint.pack(job.name, job.folder),
                                        file_name=f"{job.name}.zip", mime="application/zip",
                                        icon=":material/download:", key=f"train_download_{job.name}",
                                        help="The card (.json) and the weights (.safetensors) in a zip.")
            if actions.button("Remove", icon=":material/delete:", key=f"train_remove_{job.name}"):
                training.remove(job)
                st.rerun()
            if view.batch_losses:  # a model read back from its folder (a restarted server) has no batches
                with st.expander("Loss curve"):
                    st.plotly_chart(loss_figure(view, job.training.epochs), key=f"train_curve_{job.name}",
                                    config={"displayModeBar": False})
    st.write("Use them on any page:")
    links = st.columns(4)
    links[0].page_link("app_pages/repair.py", label="Repair", icon=":material/healing:")
    links[1].page_link("app_pages/latent.py", label="Latent map", icon=":material/scatter_plot:")
    links[2].page_link("app_pages/kernels.py", label="Kernels", icon=":material/grid_view:")
    links[3].page_link("app_pages/benchmarks.py", label="Benchmarks", icon=":material/leaderboard:")


def _read_upload() -> None:
    """on_change of the uploader: try the files now in it as one checkpoint; remember what came of it."""
    files = {f.name: f.getvalue() for f in st.session_state.train_upload or []}
    if not files:
        return
    try:
        name = training.add_upload(files)
        st.session_state.train_upload_result = ("success", f"{name} is ready: pick it on any page.")
    except ValueError as err:
        names = ", ".join(sorted(files))
        st.session_state.train_upload_result = ("error", f"{names}: not usable as a checkpoint. {err}")


def bring_a_checkpoint() -> None:
    """Upload a checkpoint (the zip this page downloads, or its two files) to use it in this browser."""
    st.subheader("Bring a checkpoint")
    st.write("Upload a checkpoint downloaded from this page (the zip), or its card (.json) and weights "
             "(.safetensors) together. Weights are read with safetensors only, which cannot run code, and a "
             "checkpoint is used only if it loads whole and matches its card.")
    st.file_uploader("Checkpoint files", accept_multiple_files=True, key="train_upload", on_change=_read_upload)
    result = st.session_state.get("train_upload_result")
    if result:
        (st.success if result[0] == "success" else st.error)(result[1])
    for name in list(training.uploads()):
        text, button = st.columns([4, 1], vertical_alignment="center")
        try:
            m = load_model(name)[1]["model"]
            code = "no code" if m["arch"] in CODELESS else f"d = {m['code_size']}"
            text.markdown(f"**{name}** (uploaded): {m['arch']}, {code}")
        except ValueError as err:
            text.error(f"{name} cannot be used: {err}")
        if button.button("Remove", icon=":material/delete:", key=f"train_remove_upload_{name}"):
            training.remove_upload(name)
            st.rerun()


def forget_button() -> None:
    """Delete everything this browser keeps: its models, uploads and digits (a running training stops)."""
    st.divider()
    if st.button("Forget my models and digits", icon=":material/delete_forever:", key="train_forget",
                 help="Deletes this browser's trained and uploaded models and the digits each page keeps."):
        training.forget()
        st.rerun()


if training.in_flight() is not None:
    live_status()
your_models()
st.subheader("New model")
request = settings()
if request is not None:
    training.start(*request)
    st.rerun()
bring_a_checkpoint()
forget_button()

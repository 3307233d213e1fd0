"""Train your own: pick an architecture, a code size, a damage and a loss, train in the background with a
live loss curve, then use the model on every page, download it or measure it on Benchmarks."""

import plotly.graph_objects as go
import streamlit as st

from ae_core import checkpoint
from ae_core.config import CODELESS, ModelConfig, TrainConfig
from ae_core.jobs import JobView, TrainingJob
from ui import labels, training
from ui.i18n import N_, _, n_, number, translated
from ui.loaders import load_model
from ui.plots import fit_width

CODE_SIZES = (2, 5, 10, 20, 30, 50, 100, 200, 300, 500, 784, 1000)
LAMBDAS = (0.0, 0.0001, 0.001, 0.01, 0.1, 1.0)
TRAIN_SIZES = (1000, 5000, 10000, 20000, 60000)
DAMAGES = {"none": N_("None: a standard autoencoder"), "dropout": N_("Dropout (the lecture's denoising noise)"),
           "mask": N_("Masking (pixels set to the background)"), "patch": N_("Grey patch at a random place"),
           "gaussian": N_("Gaussian noise"), "mixed": N_("A mix of all four, a new kind each batch")}
LEVEL_LABELS = {"dropout": N_("Drop rate p"), "mask": N_("Masked share p"), "patch": N_("Patch side / 28"),
                "gaussian": N_("Noise σ"), "mixed": N_("Level (rate, σ or side / 28)")}
LEVEL = N_("Level")  # the level slider's label when there is no damage (disabled)
ARCHITECTURES = {"linear": N_("Linear (the lecture's)"), "conv": N_("Convolutional")}
LOSSES = {"mse": "MSE", "bce": N_("Binary cross-entropy")}  # MSE is a symbol: not translated
# short names in a model's one-line description; a code without one (unet, resunet) is shown as it is
BADGES = {"done": ("green", N_("done")), "stopped": ("orange", N_("stopped")), "failed": ("red", N_("failed"))}
POLL_S = 1.0

st.title(_("Train your own"))
st.write(_(
    "Train an autoencoder with your own choices and compare it with the shipped ones. Training runs in the "
    "background on the server's CPU, so you can watch the loss fall here or go on exploring; when it ends, "
    "the model joins the model pickers on every page. It is this browser's: a reload or a new tab keeps it, "
    "other browsers never see it, and it is deleted a day after you last used the app. On all 60,000 digits "
    "an epoch takes about a second for a linear model and 10 to 15 seconds for a convolutional one."
))


def loss_figure(view: JobView, epochs: int) -> go.Figure:
    """The loss of the batches as they came (thin line) and of each finished epoch (dots), against batches;
    `epochs` is the number the run was asked for."""
    figure = go.Figure()
    if view.batch_losses:
        steps, losses = zip(*view.batch_losses, strict=True)
        figure.add_scatter(x=steps, y=losses, mode="lines", name=_("batch"), line={"width": 1})
    if view.epoch_losses and view.steps_total:
        per_epoch = view.steps_total / epochs
        ends = [round(e * per_epoch) for e in range(1, len(view.epoch_losses) + 1)]
        figure.add_scatter(x=ends, y=view.epoch_losses, mode="markers+lines", name=_("epoch mean"),
                           marker={"size": 8})
    figure.update_layout(height=260, xaxis_title=_("batch"), yaxis_title=_("training loss"),
                         yaxis={"type": "log", "dtick": "D2"})
    return fit_width(figure)


def describe(job: TrainingJob) -> str:
    """The run's settings in one line, e.g. "linear, d = 30, tied; dropout at 0.5; MSE; 5 epochs" (a list of
    settings: each item translated, joined by the same marks in every language)."""
    m, t = job.model, job.training
    damage = _("no damage") if t.noise == "none" else _("{noise} at {p:g}", noise=labels.noise(t.noise), p=t.p)
    model = [labels.architecture(m.arch), f"d = {m.code_size}"] + ([_("tied")] if m.tied else [])
    model += [_("λ = {value:g}", value=t.contractive)] if t.contractive else []
    epochs = n_("{n} epoch", "{n} epochs", t.epochs, n=t.epochs)
    return "; ".join([", ".join(model), damage, t.loss.upper(), epochs])


@st.fragment(run_every=POLL_S)
def live_status() -> None:
    """The running or queued job, redrawn every second; a full rerun once it is over."""
    job = training.in_flight()
    if job is None:
        st.rerun()  # it finished since the last redraw: show it among the models
    view = job.snapshot()
    st.subheader(_("Training {name}", name=job.name))
    st.caption(describe(job))
    if view.state == "queued":
        queue = training.training_queue()
        st.info(_("Waiting for a free training slot: {running} running and {ahead} queued ahead of yours. The "
                  "server trains at most {most} at a time, so that everyone's pages stay fast; yours starts by "
                  "itself, and you can keep exploring meanwhile.", running=queue.running(),
                  ahead=queue.ahead_of(job), most=queue.max_running),
                icon=":material/hourglass_top:")
    else:
        epoch, seconds = max(view.epoch, 1), view.seconds or 0
        if not view.steps_total:
            text = _("Starting: loading the digits...")
        elif view.batch_losses:
            text = _("Epoch {epoch} of {epochs} · loss {loss:.4f} · {seconds:.0f} s", epoch=epoch,
                     epochs=job.training.epochs, loss=view.batch_losses[-1][1], seconds=seconds)
        else:
            text = _("Epoch {epoch} of {epochs} · {seconds:.0f} s", epoch=epoch, epochs=job.training.epochs,
                     seconds=seconds)
        st.progress(view.fraction, text=_("Measuring the model on the test digits...") if view.measuring else text)
        if view.note:
            st.info(translated(view.note), icon=":material/cloud_off:")
        if view.batch_losses:
            st.plotly_chart(loss_figure(view, job.training.epochs), key="train_live_curve",
                            config={"displayModeBar": False})
    if st.button(_("Cancel"), key="train_cancel", icon=":material/stop:"):
        training.training_queue().cancel(job)


def settings() -> tuple[str, ModelConfig, TrainConfig, int] | None:
    """The training form; returns (name, model config, training config, digits) when "Start training"
    is pressed with valid settings, else None."""
    left, right = st.columns(2)
    with left:
        arch = st.segmented_control(_("Architecture"), list(ARCHITECTURES), default="linear", key="train_arch",
                                    format_func=lambda a: _(ARCHITECTURES[a]))
        arch = arch or "linear"
        code_size = st.select_slider(
            _("Code size d"), CODE_SIZES, value=30, key="train_code",
            help=_("Under 784 the code is a bottleneck; at 784 and above it is over-complete."))
        linear = arch == "linear"
        tied = st.checkbox(_("Tied weights (decoder = encoder transposed)"), key="train_tied", disabled=not linear,
                           help=_("Linear models only; the lecture's remark on PCA."))
        contractive = st.select_slider(_("Contractive λ"), LAMBDAS, value=0.0, key="train_lambda",
                                       disabled=not linear, help=_("Weight of ‖∂h/∂x‖²: linear models only."),
                                       format_func=number)
        loss = st.radio(_("Loss"), list(LOSSES), horizontal=True, key="train_loss",
                        format_func=lambda code: _(LOSSES[code]))
    with right:
        noise = st.selectbox(_("Damage during training"), list(DAMAGES), format_func=lambda kind: _(DAMAGES[kind]),
                             key="train_noise")
        p = st.slider(_(LEVEL_LABELS.get(noise, LEVEL)), 0.05, 0.95, 0.5, 0.05, key="train_p",
                      disabled=noise == "none")
        epochs = st.slider(_("Epochs"), 1, 30, 5, key="train_epochs")
        digits = st.select_slider(_("Training digits"), TRAIN_SIZES, value=60000, key="train_digits",
                                  format_func=lambda n: number(n, ","))
        seed = st.number_input(_("Seed"), 0, 2**31 - 1, 0, key="train_seed")
    suggested = f"my_{arch}_d{code_size}" + ("" if noise == "none" else f"_{noise}")
    name = st.text_input(_("Name"), placeholder=suggested, key="train_name", max_chars=training.NAME_CHARS,
                         help=_("Letters, digits, _ and -; anything else becomes _."))
    busy = training.in_flight() is not None
    if len(training.jobs()) >= training.MAX_SESSION_MODELS and not busy:
        st.caption(_("You keep at most {most} models: starting another one removes the oldest, {name}.",
                     most=training.MAX_SESSION_MODELS, name=training.jobs()[0].name))
    if not st.button(_("Start training"), type="primary", icon=":material/play_arrow:", key="train_start",
                     disabled=busy, help=_("One training per browser at a time.") if busy else None):
        return None
    try:
        model_cfg = ModelConfig(arch, code_size, tied and linear)
        train_cfg = TrainConfig(epochs=epochs, loss=loss, noise=noise, p=p, seed=int(seed),
                                contractive=contractive if linear else 0.0)
    except ValueError as err:
        st.error(translated(err))
        return None
    return training.safe_name(name.strip() or suggested, training.taken_names()), model_cfg, train_cfg, digits


def your_models() -> None:
    """This browser's models, newest first: figures, loss curve, download, remove."""
    finished = [job for job in reversed(training.jobs()) if job.snapshot().finished]
    if not finished:
        return
    st.subheader(_("Your models"))
    for job in finished:
        view = job.snapshot()
        with st.container(border=True):
            head, actions = st.columns([3, 2], vertical_alignment="center")
            color, state = BADGES[view.state]
            head.markdown(f"**{job.name}** :{color}-badge[{_(state)}]  \n{describe(job)}")
            if view.metrics:
                head.caption(_("Test PSNR: clean {clean:.2f} dB, lecture dropout p = {p:g} {dropout:.2f} dB "
                               "({n:,} test digits) · {seconds:.0f} s", clean=view.metrics["clean"]["psnr"], p=0.5,
                               dropout=view.metrics["dropout"]["psnr"], n=view.metrics["n"], seconds=view.seconds))
            if view.note:
                head.caption(translated(view.note))
            if view.message:
                (head.error if view.state == "failed" else head.info)(translated(view.message))
            if job.has_model:
                actions.download_button(_("Download checkpoint"), checkpoint.pack(job.name, job.folder),
                                        file_name=f"{job.name}.zip", mime="application/zip",
                                        icon=":material/download:", key=f"train_download_{job.name}",
                                        help=_("The card (.json) and the weights (.safetensors) in a zip."))
            if actions.button(_("Remove"), icon=":material/delete:", key=f"train_remove_{job.name}"):
                training.remove(job)
                st.rerun()
            if view.batch_losses:  # a model read back from its folder (a restarted server) has no batches
                with st.expander(_("Loss curve")):
                    st.plotly_chart(loss_figure(view, job.training.epochs), key=f"train_curve_{job.name}",
                                    config={"displayModeBar": False})
    st.write(_("Use them on any page:"))
    links = st.columns(4)
    links[0].page_link("app_pages/repair.py", label=_("Repair"), icon=":material/healing:")
    links[1].page_link("app_pages/latent.py", label=_("Latent map"), icon=":material/scatter_plot:")
    links[2].page_link("app_pages/kernels.py", label=_("Kernels"), icon=":material/grid_view:")
    links[3].page_link("app_pages/benchmarks.py", label=_("Benchmarks"), icon=":material/leaderboard:")


def _read_upload() -> None:
    """on_change of the uploader: try the files now in it as one checkpoint; remember what came of it, as
    data that bring_a_checkpoint words in the language of each run: ("success", the model's name, None) or
    ("error", the files' names, the error)."""
    files = {f.name: f.getvalue() for f in st.session_state.train_upload or []}
    if not files:
        return
    try:
        name = training.add_upload(files)
        st.session_state.train_upload_result = ("success", name, None)
    except ValueError as err:
        st.session_state.train_upload_result = ("error", ", ".join(sorted(files)), err)


def bring_a_checkpoint() -> None:
    """Upload a checkpoint (the zip this page downloads, or its two files) to use it in this browser."""
    st.subheader(_("Bring a checkpoint"))
    st.write(_("Upload a checkpoint downloaded from this page (the zip), or its card (.json) and weights "
               "(.safetensors) together. Weights are read with safetensors only, which cannot run code, and a "
               "checkpoint is used only if it loads whole and matches its card."))
    st.file_uploader(_("Checkpoint files"), accept_multiple_files=True, key="train_upload", on_change=_read_upload)
    result = st.session_state.get("train_upload_result")
    if result:
        kind, names, err = result
        if kind == "success":
            st.success(_("{name} is ready: pick it on any page.", name=names))
        else:
            st.error(_("{names}: not usable as a checkpoint. {error}", names=names, error=translated(err)))
    for name in list(training.uploads()):
        text, button = st.columns([4, 1], vertical_alignment="center")
        try:
            m = load_model(name)[1]["model"]
            code = _("no code") if m["arch"] in CODELESS else f"d = {m['code_size']}"
            text.markdown(_("**{name}** (uploaded): {arch}, {code}", name=name, arch=labels.architecture(m["arch"]),
                            code=code))
        except ValueError as err:
            text.error(_("{name} cannot be used: {error}", name=name, error=translated(err)))
        if button.button(_("Remove"), icon=":material/delete:", key=f"train_remove_upload_{name}"):
            training.remove_upload(name)
            st.rerun()


def forget_button() -> None:
    """Delete everything this browser keeps: its models, uploads and digits (a running training stops)."""
    st.divider()
    if st.button(_("Forget my models and digits"), icon=":material/delete_forever:", key="train_forget",
                 help=_("Deletes this browser's trained and uploaded models and the digits each page keeps.")):
        training.forget()
        st.rerun()


if training.in_flight() is not None:
    live_status()
your_models()
st.subheader(_("New model"))
request = settings()
if request is not None:
    training.start(*request)
    st.rerun()
bring_a_checkpoint()
forget_button()

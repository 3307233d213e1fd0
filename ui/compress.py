"""What the Compress page loads once and draws: the stored benchmark, each model's code ranges, PCA on the
training digits, the rate-distortion figure and the sentence on what the numbers show.

Ranges: the file stored beside a shipped checkpoint (`<name>.codec.json`, over the full training set);
for a session model, or a shipped one whose file is missing or stale, they are computed once from the
training digits that are loaded (the full set, or the offline fallback's 4,000) and kept per weights file.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ae_core import checkpoint, compress
from ae_core.baselines import fit_pca
from ui.i18n import N_, LazyText, _
from ui.loaders import load_model, model_folder, session_models, test_digits, train_digits
from ui.plots import fit_width

BENCH_COMMAND = "AE_DATA_DIR=<mnist folder> python bench/compress.py"
SESSION_TEST_DIGITS = 1000  # a session model's curve is measured on this many test digits
COLOURS = {"model": "#d62728", "PCA": "#7f7f7f", "JPEG": "#1f77b4", "WebP": "#2ca02c", "PNG": "#9467bd"}
PAYLOAD_WORDS = {"JPEG": N_("scan data"), "WebP": N_("bitstream"), "PNG": "IDAT"}  # an image codec's bare payload


def format_label(fmt: str) -> str:
    """A code format as the page names it: "float32", "float16", or "8-bit" (in the session's language)."""
    label = compress.FORMAT_LABELS[fmt]
    return _("{bits}-bit", bits=compress.FORMAT_BITS[fmt]) if label.endswith("-bit") else label


@st.cache_resource(show_spinner=LazyText(N_("Measuring the code ranges on the training digits...")), max_entries=16)
def _computed_codec(name: str, folder: str, sha256: str) -> dict:
    digits = train_digits()
    model = load_model(name)[0]
    return compress.summarize(model, digits.images, digits.source, sha256)


@st.cache_data(show_spinner=False, max_entries=16)
def side_information(name: str, sha256: str) -> dict[str, int]:
    """compress.side_information of a model, once per weights file (it runs a backward pass through the
    decoder to find the parameters it uses, which need not be repeated on every interaction)."""
    return compress.side_information(load_model(name)[0])


def codec_for(name: str) -> tuple[dict, str]:
    """(codec summary, where its ranges come from in words) of model `name`."""
    folder = model_folder(name)
    card = checkpoint.read_card(name, folder)
    if name not in session_models():
        try:
            codec = compress.load_codec(name, folder)
            if not compress.is_stale(codec, card):
                return codec, _("stored in {file}, over {n:,} training digits", file=compress.codec_path(name).name,
                                n=codec["data"]["n"])
            why = _("the stored ranges belong to other weights")
        except ValueError:
            why = _("{file} is missing", file=compress.codec_path(name).name)
    else:
        why = _("a model of this session")
    codec = _computed_codec(name, str(folder), card["sha256"])
    return codec, _("computed here from {n:,} training digits ({why})", n=codec["data"]["n"], why=why)


@st.cache_resource(show_spinner=LazyText(N_("Fitting PCA on the training digits...")))
def _full_pca():
    digits = train_digits()
    return fit_pca(digits.images, max_pca_components())


def max_pca_components() -> int:
    """The most principal components the loaded training digits have (784 pixels, or fewer digits)."""
    return min(784, len(train_digits()))


@st.cache_resource(show_spinner=False, max_entries=8)
def pca_codec(dim: int) -> compress.PcaCodec:
    """PCA with `dim` components of the loaded training digits, and its coefficient ranges."""
    return compress.pca_codec(_full_pca(), train_digits().images, dim)


@st.cache_resource(show_spinner=LazyText(N_("Measuring this model on the test digits...")), max_entries=8)
def session_curve(name: str, folder: str, sha256: str, low: tuple, high: tuple) -> list[dict]:
    """A model's rate-distortion points on the first SESSION_TEST_DIGITS test digits (for a model the
    stored benchmark does not hold), with the ranges (low, high) of its codec; kept per weights file."""
    test = test_digits().images[:SESSION_TEST_DIGITS].numpy()
    model = load_model(name)[0]
    dim = model.cfg.code_size
    decoded = compress.ae_roundtrip(model, test, np.asarray(low, np.float32), np.asarray(high, np.float32))
    return [{"format": f, "bits": compress.code_bits(dim, f), "psnr": float(compress.score(test, d)["psnr"].mean())}
            for f, d in decoded.items()]


def _bits_key(headers: bool) -> str:
    return "file_bits" if headers else "payload_bits"


def _vline(fig: go.Figure, bits: float, text: str, colour: str, dash: str) -> None:
    """A vertical line at `bits` across the PSNR range of the traces drawn so far, named in the legend."""
    ys = [y for trace in fig.data for y in (trace.y or ()) if y is not None]
    low, high = (min(ys), max(ys)) if ys else (0.0, 60.0)
    fig.add_trace(go.Scatter(x=[bits, bits], y=[low, high], mode="lines", name=text,
                             line={"color": colour, "dash": dash, "width": 1.5},
                             hovertemplate=text + "<extra></extra>"))


def figure(bench: dict | None, name: str, dim: int, model_curve: list[dict] | None, curve_note: str,
           pca_curve: list[dict] | None, digit: dict, fmt: str, quality: int, headers: bool) -> go.Figure:
    """Bits per digit (log) against PSNR: the test-set curves (lines) and this digit (markers, the chosen
    format and quality as stars). `digit` holds this digit's points: "model" and "PCA" as
    [{"format", "bits", "psnr"}], "JPEG" and "WebP" as [{"quality", "file_bits", "payload_bits", "psnr"}],
    "PNG" as one such point."""
    key = _bits_key(headers)
    fig = go.Figure()
    hover = _("%{text}: %{x:,.0f} bits, %{y:.2f} dB")

    def code_line(points, label, colour, dash=None):
        fig.add_trace(go.Scatter(
            x=[p["bits"] for p in points], y=[p["psnr"] for p in points], mode="lines+markers", name=label,
            line={"color": colour, "dash": dash}, text=[format_label(p["format"]) for p in points],
            hovertemplate=hover + "<extra>" + label + "</extra>"))

    if model_curve:
        code_line(model_curve, f"{name}, {curve_note}", COLOURS["model"])
    if pca_curve:
        code_line(pca_curve, _("PCA-{dim}, test set", dim=dim), COLOURS["PCA"], "dot")
    if bench:
        for codec in ("JPEG", "WebP"):
            sweep = bench["codecs"][codec]
            fig.add_trace(go.Scatter(
                x=[p[key] for p in sweep], y=[p["psnr"] for p in sweep], mode="lines+markers",
                name=_("{codec}, test set", codec=codec),
                line={"color": COLOURS[codec]}, text=[codec_setting(p["quality"]) for p in sweep],
                hovertemplate=hover + "<extra>" + codec + "</extra>"))

    def digit_points(points, label, colour, chosen, text, x_of):
        fig.add_trace(go.Scatter(
            x=[x_of(p) for p in points], y=[p["psnr"] for p in points], mode="markers", name=label,
            marker={"color": colour, "size": [16 if c else 8 for c in chosen],
                    "symbol": ["star" if c else "circle-open" for c in chosen], "line": {"width": 2, "color": colour}},
            text=text, hovertemplate=hover + "<extra>" + label + "</extra>"))

    for part, colour, method in (("model", COLOURS["model"], name), ("PCA", COLOURS["PCA"], f"PCA-{dim}")):
        points = digit[part]
        if not points:
            continue
        digit_points(points, _("your digit: {name}", name=method), colour,
                     [p["format"] == fmt for p in points], [format_label(p["format"]) for p in points],
                     lambda p: p["bits"])
    for codec in ("JPEG", "WebP"):
        points = digit[codec]
        digit_points(points, _("your digit: {name}", name=codec), COLOURS[codec],
                     [p["quality"] == quality for p in points], [codec_setting(p["quality"]) for p in points],
                     lambda p: p[key])
    if bench:
        png = bench["codecs"]["PNG"][0][key]
        _vline(fig, png, _("PNG, lossless: {bits:,.0f} bits", bits=png), COLOURS["PNG"], "dash")
    _vline(fig, compress.RAW_BITS, _("raw 8-bit pixels: {bits:,} bits", bits=compress.RAW_BITS), "black", "dot")
    fig.update_layout(
        xaxis={"type": "log",
               "title": _("bits per digit (whole files)") if headers else _("bits per digit (payload only)")},
        yaxis={"title": "PSNR (dB)"}, height=520)
    return fit_width(fig)


def _against_codecs(bench: dict, point: dict) -> tuple[list[str], bool, bool]:
    """(one phrase per image codec on the bits it needs for `point`'s PSNR, whether the code is smaller
    than both codecs' payloads, whether that was at equal PSNR: False when a codec's smallest file already
    scores higher)."""
    parts, smaller, equal = [], True, True
    for codec in ("JPEG", "WebP"):
        need = compress.bits_for_psnr(bench["codecs"][codec], point["psnr"])
        payload = _(PAYLOAD_WORDS[codec])
        if need["file"] is None:
            parts.append(_("no quality of {codec} reaches {psnr:.2f} dB", codec=codec, psnr=point["psnr"]))
        elif need["at_least"]:
            low = min(bench["codecs"][codec], key=lambda p: p["file_bits"])
            parts.append(_("{codec}'s smallest file already beats that PSNR ({psnr:.2f} dB) with {payload_bits:,.0f} "
                           "bits of {payload}, {file_bits:,.0f} as a whole file", codec=codec, psnr=low["psnr"],
                           payload_bits=low["payload_bits"], payload=payload, file_bits=low["file_bits"]))
            smaller, equal = smaller and low["payload_bits"] > point["bits"], False
        else:
            parts.append(_("{codec} needs **{payload_bits:,.0f} bits** of {payload} ({ratio:.1f}x the code's) and "
                           "{file_bits:,.0f} as a whole file", codec=codec, payload_bits=need["payload"],
                           payload=payload, ratio=need["payload"] / point["bits"], file_bits=need["file"]))
            smaller = smaller and need["payload"] > point["bits"]
    return parts, smaller, equal


def _conclusion(name: str, smaller: bool, equal: bool) -> str:
    if smaller and equal:
        return _("So the claim holds for {name}: at equal quality its code is the smallest, even against the bare "
                 "payloads.", name=name)
    if smaller:
        return _("{name}'s code is smaller than anything these codecs can make, but their smallest files already "
                 "look better: it wins on size only by being worse.", name=name)
    return _("So at this PSNR the ordinary codecs are smaller than {name}'s code: the claim does not hold here.",
             name=name)


def verdict(bench: dict | None, name: str, fmt: str, point: dict | None, side_bytes: int, where: str,
            lecture: str = "standard_d30") -> str:
    """The lecture's claim, and what our numbers show for `name` at `fmt` (`point`: its bits and mean PSNR
    over the test digits) against PCA at the same bits and the stored JPEG and WebP sweeps; the lecture's
    own model (`lecture`) too when another one is chosen. "" without stored results."""
    if bench is None or point is None:
        return ""
    label = format_label(fmt)
    # English needs "an 8-bit code", "a 4-bit code": one message each
    code = (_("an {format} code", format=label) if compress.FORMAT_LABELS[fmt].startswith("8")
            else _("a {format} code", format=label))
    sentences = [_("**The lecture's claim**: a code smaller than the input (d < 784, under-complete) makes the "
                   "encoder a compressor.")]
    dim = point["bits"] // compress.FORMAT_BITS[fmt]
    pca = next((p for p in bench["pca"].get(str(dim), {}).get("points", []) if p["format"] == fmt), None)
    if pca:
        sentences.append(_("**What our numbers show** ({where}): {name} with {code} sends **{bits:,} bits** per digit "
                           "for {psnr:.2f} dB (PCA at the same bits: {pca:.2f} dB).", where=where, name=name,
                           code=code, bits=point["bits"], psnr=point["psnr"], pca=pca["psnr"]))
    else:
        sentences.append(_("**What our numbers show** ({where}): {name} with {code} sends **{bits:,} bits** per digit "
                           "for {psnr:.2f} dB.", where=where, name=name, code=code, bits=point["bits"],
                           psnr=point["psnr"]))
    parts, smaller, equal = _against_codecs(bench, point)
    sentences.append(_("For the same mean PSNR, {comparisons}.", comparisons="; ".join(parts)))
    if point["bits"] >= compress.RAW_BITS:
        sentences.append(_("This code is larger than the raw digit ({bits:,} bits): no compressor at all.",
                           bits=compress.RAW_BITS))
    else:
        sentences.append(_conclusion(name, smaller, equal))
    webp = compress.bits_for_psnr(bench["codecs"]["WebP"], point["psnr"])
    even = None if webp["at_least"] else compress.break_even_digits(side_bytes, point["bits"], webp["file"])
    if even is not None and point["bits"] < compress.RAW_BITS:
        sentences.append(_("The receiver first needs the decoder and the ranges ({bytes:,} bytes); against WebP "
                           "files that is repaid after {n:,.0f} digits.", bytes=side_bytes, n=even))
    own = next((p for p in bench["models"].get(lecture, {}).get("points", []) if p["format"] == fmt), None)
    if own is not None and name != lecture:
        own_parts, own_smaller, own_equal = _against_codecs(bench, own)
        sentences.append(_("The lecture's own {name} at {format}: {bits:,} bits for {psnr:.2f} dB, where "
                           "{comparisons}.", name=lecture, format=label, bits=own["bits"], psnr=own["psnr"],
                           comparisons="; ".join(own_parts)))
        sentences.append(_conclusion(lecture, own_smaller, own_equal))
    ceiling = max(p["psnr"] for p in bench["codecs"]["JPEG"] + bench["codecs"]["WebP"])
    sentences.append(_("And the code has a ceiling: more bits per unit stop helping at the model's own quality, "
                       "while JPEG and WebP go up to {psnr:.0f} dB, and work on any image, not only on digits.",
                       psnr=ceiling))
    return " ".join(sentences)


def as_table_rows(name: str, dim: int, model_points: list[dict], pca_points: list[dict], coded: dict) -> list[dict]:
    """One row per method and setting for this digit, named as the pictures' captions name them ("conv_d30,
    8-bit", "JPEG q20", in the session's language): bits per digit as payload and as a whole file, PSNR, SSIM.
    The column keys are language-free; the page titles them."""
    rows = []
    for label, points in ((name, model_points), (f"PCA-{dim}", pca_points)):
        for p in points:
            rows.append({"method": f"{label}, {format_label(p['format'])}", "bits (payload)": p["bits"],
                         "bits (whole file)": p["bits"], "PSNR (dB)": p["psnr"], "SSIM": p["ssim"]})
    for codec, c in coded.items():
        rows.append({"method": f"{codec} {codec_setting(c['quality'])}", "bits (payload)": c["payload_bits"],
                     "bits (whole file)": c["file_bits"], "PSNR (dB)": c["psnr"], "SSIM": c["ssim"]})
    return rows


def codec_setting(quality: int | None) -> str:
    """How captions and tables name a codec's setting: "q20", or "lossless" (PNG, which has no quality)."""
    return _("lossless") if quality is None else f"q{quality}"


def code_points(dim: int, clean: np.ndarray, decoded: dict[str, np.ndarray]) -> list[dict]:
    """This digit's point at each code format: {"format", "bits", "psnr", "ssim"}."""
    return [{"format": f, "bits": compress.code_bits(dim, f),
             **{k: float(v[0]) for k, v in compress.score(clean, out).items()}} for f, out in decoded.items()]


@st.cache_data(show_spinner=False, max_entries=64)
def codec_points(digit: np.ndarray, codec: str, qualities: tuple) -> list[dict]:
    """This digit through `codec` at each quality: {"quality", "file_bits", "payload_bits", "psnr", "ssim"}."""
    return [{k: (v if k == "quality" else float(np.asarray(v).ravel()[0])) for k, v in row.items()}
            for row in compress.codec_sweep(digit[None], codec, qualities)]

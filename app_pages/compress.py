"""Compress: the encoder as an image compressor. A digit's code, stored at five formats, against PCA at the
same bits and Pillow's JPEG, WebP and PNG at their own sizes."""

import numpy as np
import pandas as pd
import streamlit as st

from ae_core import compress
from ui import compress as view
from ui.digits import digit_label, digit_source
from ui.i18n import _, number, translated
from ui.images import image_row
from ui.loaders import bench_results, broken_model_notice, load_model, model_folder, model_names, session_models

DEFAULT_MODEL = "conv_d30"
DEFAULT_FORMAT = "q8"
DEFAULT_QUALITY = 20

st.title(_("Compress"))
st.write(_(
    "The lecture: *\"if we have an intermediate dimensionality d lower than the input dimensionality n, then "
    "the encoder can be used as a compressor\"*. Here is the bill. The sender keeps the encoder and sends the "
    "d numbers of the code, stored as float32, float16, or rounded to 8, 6 or 4 bits each; the receiver "
    "decodes them. Against it: PCA with as many components, rounded the same way, and the codecs everybody "
    "uses (JPEG and WebP at any quality, PNG lossless) on the same 28x28 digit, counted as whole files and "
    "without their headers. All scored by PSNR and SSIM against your digit."
))

digit = digit_source("compress")
if digit is None:
    st.stop()

broken_model_notice()
names = model_names(bottleneck_only=True)
if not names:
    st.info(_("No autoencoder with a code is available: train one on the Train page, then come back."))
    st.stop()
left, middle, right = st.columns([2, 3, 2])
name = left.selectbox(_("Model (with a code)"), names,
                      index=names.index(DEFAULT_MODEL) if DEFAULT_MODEL in names else 0, key="compress_model")
fmt = middle.radio(_("Code format"), compress.FORMATS, index=compress.FORMATS.index(DEFAULT_FORMAT),
                   format_func=view.format_label, horizontal=True, key="compress_format",
                   help=_("How each number of the code is stored: a float, or one of 2^b evenly spaced levels "
                          "within its unit's range."))
quality = right.slider(_("JPEG and WebP quality"), 1, 100, DEFAULT_QUALITY, key="compress_quality")
headers = st.toggle(_("Count the image codecs' container headers (whole files)"), value=True, key="compress_headers",
                    help=_("Off: only the compressed image data (JPEG's entropy-coded scan data, PNG's IDAT "
                           "payload, WebP's VP8 bitstream), as if the headers were agreed in advance like the "
                           "decoder's weights."))

try:
    model, card = load_model(name)
    codec, ranges_from = view.codec_for(name)
except ValueError as err:
    st.error(_("{name} cannot compress: {error} Pick another model.", name=name, error=translated(err)))
    st.stop()
dim = model.cfg.code_size
low, high = compress.ranges_of(codec)
pca = view.pca_codec(dim) if dim <= view.max_pca_components() else None  # PCA has at most 784 components
clean = np.asarray(digit, dtype=np.float32)[None]  # (1, 28, 28)

decoded = compress.ae_roundtrip(model, clean, low, high)  # {format: (1, 28, 28)}
pca_decoded = compress.pca_roundtrip(pca, clean) if pca else {}
model_points = view.code_points(dim, clean, decoded)
pca_points = view.code_points(dim, clean, pca_decoded)
sweeps = {"JPEG": tuple(sorted(set(compress.JPEG_QUALITIES) | {quality})),
          "WebP": tuple(sorted(set(compress.WEBP_QUALITIES) | {quality}))}
digit_codecs = {codec: view.codec_points(clean[0], codec, qualities) for codec, qualities in sweeps.items()}
coded = {codec: compress.image_codec(clean[0], codec, None if codec == "PNG" else quality) for codec in compress.CODECS}
coded_points = {codec: {"quality": c.quality, "file_bits": 8 * c.file_bytes, "payload_bits": 8 * c.payload_bytes,
                        **{k: float(v[0]) for k, v in compress.score(clean, c.decoded[None]).items()}}
                for codec, c in coded.items()}


def caption(point: dict) -> str:
    return _("{format}: {bits:,} bits, {psnr:.1f} dB", format=view.format_label(point["format"]), bits=point["bits"],
             psnr=point["psnr"])


size = f"d = {dim}"  # a symbol, the same in every language: a value, not a literal "d =" in the message
st.subheader(_("Your digit through {name} ({size})", name=name, size=size))
image_row({digit_label("compress") or _("your digit"): clean[0]}
          | {caption(p): decoded[p["format"]][0] for p in model_points}, width=112)
chosen_pca = next((p for p in pca_points if p["format"] == fmt), None)
codec_images = {f"PCA-{dim}, {caption(chosen_pca)}": pca_decoded[fmt][0]} if pca else {}
for codec, c in coded.items():
    setting = view.codec_setting(c.quality)
    score = _("exact") if coded_points[codec]["psnr"] >= 100 else f"{number(coded_points[codec]['psnr'], '.1f')} dB"
    codec_images[_("{codec} {setting}: {file} B file, {payload} B {payload_name}, {score}", codec=codec,
                   setting=setting, file=c.file_bytes, payload=c.payload_bytes,
                   payload_name=_(view.PAYLOAD_WORDS[codec]), score=score)] = c.decoded
image_row(codec_images, width=112, per_row=6)

side = view.side_information(name, card["sha256"])
st.markdown(" ".join([
    _("**Besides the code, the receiver needs** (once, not per digit): the decoder's weights, {parameters:,} numbers, "
      "**{bytes:,} bytes** as float32, and for the quantised formats the range of each code unit, "
      "2·d = {range_numbers} numbers ({range_bytes:,} bytes; {ranges_from}).",
      parameters=side["decoder_parameters"], bytes=side["decoder_bytes"], range_numbers=side["range_numbers"],
      range_bytes=side["range_bytes"], ranges_from=ranges_from),
    _("PCA's receiver needs the mean digit and the {dim} components, {numbers:,} numbers ({bytes:,} bytes).",
      dim=dim, numbers=(dim + 1) * 784, bytes=pca.decoder_bytes) if pca else
    _("There is no PCA with {dim} components: {most} is the most these digits have.", dim=dim,
      most=view.max_pca_components()),
    _("JPEG, WebP and PNG need only their (standard) decoders; their files carry their own headers."),
]))

rows = view.as_table_rows(name, dim, model_points, pca_points,
                          {f"{codec}": coded_points[codec] for codec in coded_points})
st.dataframe(pd.DataFrame(rows), hide_index=True, key="compress_table", height=35 * (len(rows) + 1) + 3,
             column_config={"method": st.column_config.TextColumn(_("method")),
                            "bits (payload)": st.column_config.NumberColumn(_("bits (payload)"), format="%d"),
                            "bits (whole file)": st.column_config.NumberColumn(_("bits (whole file)"), format="%d"),
                            "PSNR (dB)": st.column_config.NumberColumn(format="%.2f"),
                            "SSIM": st.column_config.NumberColumn(format="%.3f")})
st.caption(_("The code's bits are d x bits per unit (no header, no entropy coding). Bits (payload) of an image "
             "codec: its compressed data without the container; PSNR 100 dB means an exact copy (the MSE floor)."))

bench = bench_results("compress")
entry = (bench or {}).get("models", {}).get(name)
if entry is not None and entry.get("sha256") == card["sha256"]:
    model_curve = entry["points"]
    where = _("the stored benchmark, {n:,} test digits", n=bench["meta"]["n_test"])
    note = _("test set")
else:
    folder = model_folder(name)
    model_curve = view.session_curve(name, str(folder), card["sha256"], tuple(low.tolist()), tuple(high.tolist()))
    where = _("this model on the first {n:,} test digits, measured here", n=view.SESSION_TEST_DIGITS)
    note = _("first {n:,} test digits", n=view.SESSION_TEST_DIGITS)
pca_curve = (bench or {}).get("pca", {}).get(str(dim), {}).get("points")
if bench is None:
    st.info(_("No stored benchmark: the curves over the test set come from `{command}`; the markers below are "
              "your digit alone.", command=view.BENCH_COMMAND))
elif name in session_models() or entry is None:
    st.caption(_("{name} is not in the stored benchmark: its curve is measured here on the first {n:,} test digits.",
                 name=name, n=view.SESSION_TEST_DIGITS))
fig = view.figure(bench, name, dim, model_curve, note, pca_curve,
                  {"model": model_points, "PCA": pca_points, **digit_codecs}, fmt, quality, headers)
st.markdown(_("**Rate–distortion: {name} at every code format against PCA, JPEG and WebP**", name=name))
st.plotly_chart(fig, key="compress_rd", width="stretch")
st.caption(_("Lines: mean bits per digit and mean PSNR over the test digits. Markers: your digit at every format "
             "and quality; stars: the format and quality chosen above. Bits on a log scale."))

point = next((p for p in model_curve if p["format"] == fmt), None)
st.markdown(view.verdict(bench, name, fmt, point, side["decoder_bytes"] + side["range_bytes"], where))

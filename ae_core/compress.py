"""The encoder as an image compressor: an autoencoder's code as a codec, against PCA and Pillow's codecs.

The lecture: "if we have an intermediate dimensionality d lower than the input dimensionality n, then
the encoder can be used as a compressor". Here that claim gets a bit count.

**The code as a codec.** A digit x is sent as its code h = encode(x), d numbers, stored as
- float32 or float16 (32 or 16 bits per code unit), or
- uniformly quantised to b = 8, 6 or 4 bits per unit: unit j is clipped to its range [low_j, high_j] and
  rounded to one of 2^b evenly spaced levels (both ends included); the receiver maps the level back.
Bits per digit = d * bits per unit (a fixed-length code, no entropy coding). The receiver runs
encode -> quantise -> dequantise -> decode's last two steps: `roundtrip`.

**What the receiver needs besides the code**, sent once and not per digit: the decoder's weights
(`decoder_parameters`: the parameters `decode` uses, counted by autograd, stored as float32 here) and,
for the quantised formats, the 2*d range numbers (float32). `side_information` counts both in bytes;
they are the price of the codec, like a JPEG decoder's source code, and only pay off over many digits.

**The ranges** come from the codes of the training digits: per unit, the 0.1th and 99.9th percentiles
(RANGE_PERCENTILE), not min and max. A single outlying training code sets min/max and stretches every
quantisation step of its unit: measured on the first 2,000 test digits, conv_d30 (an unbounded linear code,
-12 to 12) at 4 bits reads 22.52 dB with min/max ranges and 23.25 dB with 0.1/99.9 percentiles, while at
8 and 6 bits the two differ by less than 0.04 dB (24.80 vs 24.80, 24.63 vs 24.70); clipping harder (1st
to 99th) helps 4 bits a little more (23.63) but costs 0.16 dB at 8 bits. The tanh codes of the linear
models fill [-1, 1] and barely care (standard_d30 at 4 bits: 18.67 vs 18.68 dB). `summarize` keeps the
ranges beside the checkpoint (`checkpoints/<name>.codec.json`), with min/max for reference.

**PCA at the same bits**: the top-d principal components of the training digits (ae_core.baselines), the
d coefficients quantised the same way with ranges from the training digits' coefficients (`PcaCodec`).
Its "decoder" is the mean and the d components, (d + 1) * 784 float32 numbers.

**Pillow's codecs** (JPEG, WebP, PNG) compress the 28x28 uint8 digit on the app's fixed grey scale,
round((clip(x, -1, 1) + 1) * 127.5) (`to_uint8`, the same as ui.images.to_uint8), at their own sizes:
JPEG with optimised Huffman tables, WebP with its slowest, smallest method (6), PNG with optimize. Each
file is counted whole and as its payload alone (`payload_bytes`): a JPEG's entropy-coded scan data, a
PNG's IDAT chunk data, a WebP's VP8 or VP8L chunk data; the rest (markers, tables, chunk and RIFF
headers, CRCs) is container. The containers are parsed and checked, never assumed.

Quality is scored by the one convention (ae_core.metrics): PSNR and SSIM on [0, 1] pixels against the
digit itself, per image. PNG is lossless on the uint8 digit, so an MNIST digit (whose pixels are whole
multiples of 1/127.5) comes back exactly (100 dB by the MSE floor); a drawn one loses its sub-uint8 detail.

Images are one digit (28, 28) or a batch (B, 28, 28) in [-1, 1], torch or numpy.

Run: `python -m ae_core.compress --name standard_d30` (the full training set from AE_DATA_DIR).
"""

import argparse
import io
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from ae_core import checkpoint, metrics
from ae_core.arrays import as_batch
from ae_core.baselines import PCA, fit_pca
from ae_core.errors import InputError
from ae_core.models import has_code

FORMATS = ("float32", "float16", "q8", "q6", "q4")  # how each code unit is stored
FORMAT_BITS = {"float32": 32, "float16": 16, "q8": 8, "q6": 6, "q4": 4}  # bits per code unit
FORMAT_LABELS = {"float32": "float32", "float16": "float16", "q8": "8-bit", "q6": "6-bit", "q4": "4-bit"}
RANGE_PERCENTILE = 0.1  # quantisation range of a unit: its [0.1, 99.9] percentiles over the training codes
CODEC_FORMAT = 1
SUFFIX = ".codec.json"
CHUNK = 1000  # digits per forward pass
FLOAT32_BYTES = 4

CODECS = ("JPEG", "WebP", "PNG")
JPEG_QUALITIES = (1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100)  # Pillow reads 0 as 1
WEBP_QUALITIES = (0, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100)
RAW_BITS = 28 * 28 * 8  # the uint8 digit itself: 6,272 bits
PAYLOAD_OF = {"JPEG": "entropy-coded scan data", "PNG": "IDAT payload", "WebP": "VP8/VP8L bitstream"}


# --- the code as a codec -------------------------------------------------------------------------------

def code_bits(dim: int, fmt: str) -> int:
    """Bits per digit of a d-number code stored in `fmt`."""
    if fmt not in FORMAT_BITS:
        raise InputError("Unknown code format {fmt!r}; use one of {options}.", fmt=fmt, options=", ".join(FORMATS))
    return dim * FORMAT_BITS[fmt]


def code_ranges(codes, percentile: float = RANGE_PERCENTILE) -> tuple[np.ndarray, np.ndarray]:
    """(low (d,), high (d,)) of training codes (N, d): each unit's [percentile, 100 - percentile] range."""
    h = np.asarray(codes, dtype=np.float64)
    if h.ndim != 2 or len(h) == 0:
        raise InputError("Ranges need a batch of codes (N, d), got shape {shape}.", shape=h.shape)
    if not 0 <= percentile < 50:
        raise InputError("The range percentile must be in [0, 50), not {percentile}.", percentile=percentile)
    low, high = np.percentile(h, [percentile, 100 - percentile], axis=0)  # (d,) each
    return low.astype(np.float32), high.astype(np.float32)


def _check_ranges(codes: np.ndarray, low, high) -> tuple[np.ndarray, np.ndarray]:
    low, high = np.asarray(low, dtype=np.float32), np.asarray(high, dtype=np.float32)
    if low.shape != (codes.shape[-1],) or high.shape != low.shape or np.any(high < low):
        raise InputError("Ranges must be (d,) with low <= high for codes of d = {size}; "
                         "got {low_shape} and {high_shape}.", size=codes.shape[-1], low_shape=low.shape,
                         high_shape=high.shape)
    return low, high


def quantise(codes, low, high, bits: int) -> np.ndarray:
    """Codes (..., d) -> integer levels 0 .. 2^bits - 1 (uint16): clipped to [low, high], then rounded to
    the nearest of 2^bits evenly spaced levels (low and high are levels). A unit with low == high is level 0."""
    h = np.asarray(codes, dtype=np.float32)
    low, high = _check_ranges(h, low, high)
    if not 1 <= bits <= 16:
        raise InputError("A quantised code unit has 1 to 16 bits, not {bits}.", bits=bits)
    span = high - low  # (d,)
    scaled = np.divide(np.clip(h, low, high) - low, span, out=np.zeros_like(h), where=span > 0)  # (..., d) in [0, 1]
    return np.round(scaled * (2**bits - 1)).astype(np.uint16)


def dequantise(levels, low, high, bits: int) -> np.ndarray:
    """Levels (..., d) -> the codes they stand for, float32: low + level * (high - low) / (2^bits - 1)."""
    q = np.asarray(levels, dtype=np.float32)
    low, high = _check_ranges(q, low, high)
    return low + q * ((high - low) / (2**bits - 1))


def roundtrip(codes, fmt: str, low=None, high=None) -> np.ndarray:
    """What the receiver gets back of codes (..., d) stored in `fmt`, float32. The quantised formats need
    the ranges; float16 saturates at its largest finite value instead of turning into inf."""
    h = np.asarray(codes, dtype=np.float32)
    if fmt == "float32":
        return h.copy()
    if fmt == "float16":
        top = np.finfo(np.float16).max
        return np.clip(h, -top, top).astype(np.float16).astype(np.float32)
    bits = FORMAT_BITS.get(fmt)
    if bits is None:
        raise InputError("Unknown code format {fmt!r}; use one of {options}.", fmt=fmt, options=", ".join(FORMATS))
    if low is None or high is None:
        raise InputError("The {fmt} format needs the quantisation ranges (low, high) of the code units.", fmt=fmt)
    return dequantise(quantise(h, low, high, bits), low, high, bits)


@torch.inference_mode()
def encode_all(model: nn.Module, images, chunk: int = CHUNK) -> np.ndarray:
    """The codes of digits (N, 28, 28) or one digit, in chunks: (N, d) float32."""
    x, _, _ = as_batch(images.detach().cpu() if isinstance(images, torch.Tensor) else images)  # (N, 28, 28)
    if not has_code(model):
        raise InputError("This model has no code (no encode/decode), so it compresses nothing.")
    return torch.cat([model.encode(x[i:i + chunk]) for i in range(0, len(x), chunk)]).numpy()  # (N, d)


@torch.inference_mode()
def decode_all(model: nn.Module, codes, chunk: int = CHUNK) -> np.ndarray:
    """Digits from codes (N, d), in chunks: (N, 28, 28) float32."""
    h = torch.as_tensor(np.asarray(codes, dtype=np.float32)).reshape(-1, np.shape(codes)[-1])  # (N, d)
    return torch.cat([model.decode(h[i:i + chunk]) for i in range(0, len(h), chunk)]).numpy()  # (N, 28, 28)


def ae_roundtrip(model: nn.Module, images, low, high, formats=FORMATS) -> dict[str, np.ndarray]:
    """{format: the decoded digits (N, 28, 28)}: encode -> store in the format -> decode."""
    codes = encode_all(model, images)  # (N, d)
    return {fmt: decode_all(model, roundtrip(codes, fmt, low, high)) for fmt in formats}


def decoder_parameters(model: nn.Module) -> int:
    """How many numbers the receiver's decoder holds: the parameters `decode` actually uses (found by
    autograd, so a tied model's shared weight counts once and an unused encoder bias not at all)."""
    if not has_code(model):
        raise InputError("This model has no code, so it has no decoder of its own.")
    params = [p for p in model.parameters() if p.requires_grad]
    code_size = model.cfg.code_size
    with torch.enable_grad():
        out = model.decode(torch.zeros(1, code_size))  # (1, 28, 28)
        grads = torch.autograd.grad(out.sum(), params, allow_unused=True)  # never writes .grad
    return int(sum(p.numel() for p, g in zip(params, grads, strict=True) if g is not None))


def side_information(model: nn.Module) -> dict[str, int]:
    """Bytes sent once, not per digit: the decoder's weights (float32) and the 2*d quantisation ranges."""
    n = decoder_parameters(model)
    return {"decoder_parameters": n, "decoder_bytes": n * FLOAT32_BYTES,
            "range_numbers": 2 * model.cfg.code_size, "range_bytes": 2 * model.cfg.code_size * FLOAT32_BYTES}


# --- PCA at the same bits --------------------------------------------------------------------------------

@dataclass
class PcaCodec:
    pca: PCA  # mean (784,) and the top-k components (k, 784)
    low: np.ndarray  # (k,) quantisation range of each coefficient, from the training digits
    high: np.ndarray  # (k,)

    @property
    def dim(self) -> int:
        return len(self.pca.components)

    @property
    def decoder_bytes(self) -> int:
        """The receiver's part of PCA: the mean and the k components as float32."""
        return (self.dim + 1) * self.pca.components.shape[1] * FLOAT32_BYTES


def pca_codec(pca: PCA, train_images, k: int | None = None, percentile: float = RANGE_PERCENTILE) -> PcaCodec:
    """A PCA codec of the top `k` components of a fitted `pca` (all of them by default): the ranges of the
    coefficients come from `train_images`, the digits it was fitted on. A PCA fitted with all 784
    components serves every k (its components come sorted by variance)."""
    k = len(pca.components) if k is None else k
    if not 1 <= k <= len(pca.components):
        raise InputError("k must be between 1 and {most}, not {k}.", most=len(pca.components), k=k)
    top = PCA(mean=pca.mean, components=pca.components[:k].contiguous())
    low, high = code_ranges(pca_encode(top, train_images), percentile)
    return PcaCodec(top, low, high)


def fit_pca_codec(train_images, k: int, percentile: float = RANGE_PERCENTILE) -> PcaCodec:
    """PCA with k components fitted on `train_images` (ae_core.baselines.fit_pca), plus its ranges."""
    return pca_codec(fit_pca(train_images, k), train_images, k, percentile)


def pca_encode(pca: PCA, images, chunk: int = 10_000) -> np.ndarray:
    """The k PCA coefficients of each digit, (N, k) float32."""
    x, _, _ = as_batch(images.detach().cpu() if isinstance(images, torch.Tensor) else images)
    flat = x.reshape(len(x), -1)  # (N, 784)
    return torch.cat([(flat[i:i + chunk] - pca.mean) @ pca.components.T
                      for i in range(0, len(flat), chunk)]).numpy()  # (N, k)


def pca_decode(pca: PCA, coefficients) -> np.ndarray:
    """Digits from PCA coefficients (N, k): mean + coefficients @ components, clipped to [-1, 1]."""
    c = torch.as_tensor(np.asarray(coefficients, dtype=np.float32)).reshape(-1, len(pca.components))  # (N, k)
    return (c @ pca.components + pca.mean).clamp(-1, 1).reshape(-1, 28, 28).numpy()  # (N, 28, 28)


def pca_roundtrip(codec: PcaCodec, images, formats=FORMATS) -> dict[str, np.ndarray]:
    """{format: the decoded digits (N, 28, 28)}: PCA coefficients stored in the format, then decoded."""
    coefficients = pca_encode(codec.pca, images)  # (N, k)
    return {fmt: pca_decode(codec.pca, roundtrip(coefficients, fmt, codec.low, codec.high)) for fmt in formats}


# --- Pillow's codecs -------------------------------------------------------------------------------------

def to_uint8(images) -> np.ndarray:
    """Digits in [-1, 1] -> uint8 on the app's fixed grey scale, round((clip(x) + 1) * 127.5); same shape."""
    x = np.asarray(images.detach().cpu() if isinstance(images, torch.Tensor) else images, dtype=np.float32)
    return np.round((np.clip(x, -1, 1) + 1) * 127.5).astype(np.uint8)


def from_uint8(grey) -> np.ndarray:
    """uint8 pixels -> float32 in [-1, 1], as the data is normalised (ae_core.data.normalize)."""
    return np.asarray(grey, dtype=np.float32) / 127.5 - 1.0


def encode_image(grey: np.ndarray, codec: str, quality: int | None = None) -> bytes:
    """One greyscale uint8 image (H, W) as a file of `codec` ("JPEG", "WebP" lossy at `quality` 0-100,
    "PNG" lossless, quality ignored)."""
    grey = np.asarray(grey)
    if grey.dtype != np.uint8 or grey.ndim != 2:
        raise InputError("Expected one uint8 image (H, W), got {dtype} of shape {shape}.", dtype=grey.dtype,
                         shape=grey.shape)
    if codec != "PNG" and not (quality is not None and 0 <= quality <= 100):
        raise InputError("{codec} needs a quality from 0 to 100, not {quality}.", codec=codec, quality=quality)
    buffer = io.BytesIO()
    image = Image.fromarray(grey)  # mode L
    if codec == "JPEG":
        image.save(buffer, format="JPEG", quality=max(int(quality), 1), optimize=True)
    elif codec == "WebP":
        image.save(buffer, format="WEBP", quality=int(quality), method=6)  # lossy; Pillow stores L as RGB
    elif codec == "PNG":
        image.save(buffer, format="PNG", optimize=True)
    else:
        raise InputError("Unknown codec {codec!r}; use one of {options}.", codec=codec, options=", ".join(CODECS))
    return buffer.getvalue()


def decode_image(data: bytes) -> np.ndarray:
    """A JPEG, WebP or PNG file -> its greyscale uint8 pixels (H, W) (colour is converted by Pillow's
    ITU-R 601-2 luma)."""
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("L"))


def jpeg_scan_bytes(data: bytes) -> int:
    """Bytes of entropy-coded scan data in a JPEG file: everything after each SOS segment up to the
    marker that ends the scan (byte stuffing and restart markers are part of the scan). The rest is
    container: SOI, EOI and every marker segment (APPn, DQT, DHT, SOFn, SOS headers, ...)."""
    if data[:2] != b"\xff\xd8":
        raise InputError("Not a JPEG file: it does not start with SOI (FF D8).")
    i, total, n = 2, 0, len(data)
    while i < n:
        if data[i] != 0xFF:
            raise InputError("Broken JPEG: expected a marker at byte {byte}.", byte=i)
        while i < n and data[i] == 0xFF:  # fill bytes may precede a marker
            i += 1
        if i >= n:
            break
        marker = data[i]
        i += 1
        if marker == 0xD9:  # EOI
            return total
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # TEM, RSTn: no length
            continue
        if i + 2 > n:
            break
        length = struct.unpack(">H", data[i:i + 2])[0]
        if length < 2 or i + length > n:
            raise InputError("Broken JPEG: marker FF {marker:02X} at byte {byte} has length {length}.", marker=marker,
                                 byte=i - 2, length=length)
        i += length
        if marker == 0xDA:  # SOS: entropy-coded data up to the next marker other than FF 00 and RSTn
            start = i
            while True:
                j = data.find(b"\xff", i)
                if j < 0 or j + 1 >= n:
                    raise InputError("Broken JPEG: a scan runs to the end of the file without EOI.")
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    i = j + 2
                    continue
                break
            total += j - start
            i = j
    raise InputError("Broken JPEG: no EOI (FF D9) marker.")


def png_idat_bytes(data: bytes) -> int:
    """Bytes of IDAT chunk data in a PNG file (the zlib stream of the filtered pixels). The signature,
    every chunk's length, type and CRC, and the other chunks (IHDR, IEND, ...) are container.
    Each chunk's CRC is checked."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise InputError("Not a PNG file: wrong signature.")
    i, total = 8, 0
    while i + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[i:i + 8])
        body = data[i + 8:i + 8 + length]
        if len(body) != length or i + 12 + length > len(data):
            raise InputError("Broken PNG: the {kind!r} chunk at byte {byte} runs past the end.", kind=kind, byte=i)
        (crc,) = struct.unpack(">I", data[i + 8 + length:i + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise InputError("Broken PNG: the {kind!r} chunk at byte {byte} fails its CRC.", kind=kind, byte=i)
        if kind == b"IDAT":
            total += length
        i += 12 + length
        if kind == b"IEND":
            return total
    raise InputError("Broken PNG: no IEND chunk.")


def webp_bitstream_bytes(data: bytes) -> int:
    """Bytes of the VP8 (lossy) or VP8L (lossless) chunk data in a WebP file: the compressed bitstream,
    its frame header included. The RIFF header, chunk headers, padding and other chunks (VP8X, ALPH,
    ICCP, EXIF, XMP) are container."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise InputError("Not a WebP file: no RIFF ... WEBP header.")
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 != len(data):
        raise InputError("Broken WebP: RIFF says {said} bytes, the file has {size}.", said=riff_size + 8,
                         size=len(data))
    i, total, found = 12, 0, False
    while i + 8 <= len(data):
        kind, size = data[i:i + 4], struct.unpack("<I", data[i + 4:i + 8])[0]
        if i + 8 + size > len(data):
            raise InputError("Broken WebP: the {kind!r} chunk at byte {byte} runs past the end.", kind=kind, byte=i)
        if kind in (b"VP8 ", b"VP8L"):
            total += size
            found = True
        i += 8 + size + (size & 1)  # chunks are padded to an even size
    if not found:
        raise InputError("Broken WebP: no VP8 or VP8L bitstream chunk.")
    return total


def payload_bytes(data: bytes, codec: str) -> int:
    """The compressed image data of a `codec` file without its container (see PAYLOAD_OF)."""
    parsers = {"JPEG": jpeg_scan_bytes, "PNG": png_idat_bytes, "WebP": webp_bitstream_bytes}
    if codec not in parsers:
        raise InputError("Unknown codec {codec!r}; use one of {options}.", codec=codec, options=", ".join(CODECS))
    return parsers[codec](data)


@dataclass
class Coded:
    """One digit through one image codec."""
    codec: str
    quality: int | None  # None for PNG
    file_bytes: int  # the whole file
    payload_bytes: int  # without the container (PAYLOAD_OF)
    decoded: np.ndarray  # (28, 28) float32 in [-1, 1]


def image_codec(image, codec: str, quality: int | None = None) -> Coded:
    """One digit (28, 28) in [-1, 1] through `codec` at `quality`: sizes and the decoded digit."""
    x, single, _ = as_batch(image.detach().cpu() if isinstance(image, torch.Tensor) else image)
    if not single:
        raise InputError("image_codec takes one digit (28, 28); loop over a batch.")
    data = encode_image(to_uint8(x[0].numpy()), codec, quality)
    return Coded(codec, None if codec == "PNG" else quality, len(data), payload_bytes(data, codec),
                 from_uint8(decode_image(data)))


def codec_sweep(images, codec: str, qualities) -> list[dict]:
    """Every digit (N, 28, 28) through `codec` at each quality: per quality, the mean bits per digit
    (file and payload), mean PSNR and SSIM, and the per-digit figures as arrays."""
    x, _, _ = as_batch(images.detach().cpu() if isinstance(images, torch.Tensor) else images)
    x = x.numpy()  # (N, 28, 28)
    rows = []
    for quality in qualities:
        coded = [image_codec(digit, codec, quality) for digit in x]
        decoded = np.stack([c.decoded for c in coded])  # (N, 28, 28)
        rows.append({"quality": None if codec == "PNG" else quality,
                     "file_bits": 8 * np.array([c.file_bytes for c in coded], dtype=np.float64),
                     "payload_bits": 8 * np.array([c.payload_bytes for c in coded], dtype=np.float64),
                     **score(x, decoded)})
    return rows


# --- scores and comparisons ------------------------------------------------------------------------------

def score(clean, decoded) -> dict[str, np.ndarray]:
    """PSNR and SSIM of each decoded digit against its original, (N,) arrays (ae_core.metrics)."""
    return {"psnr": metrics.psnr(clean, decoded), "ssim": metrics.ssim(clean, decoded)}


def bits_at_psnr(bits, psnr, target: float) -> float | None:
    """The bits per digit a rate-distortion curve (points (bits, psnr), any order) needs to reach `target`
    dB, interpolated linearly in log(bits) between its points; None when the curve never gets there.
    Where the curve already exceeds the target at its smallest point, that smallest size is returned
    (the codec cannot be made smaller), so check `psnr` when it matters."""
    b, p = np.asarray(bits, dtype=np.float64), np.asarray(psnr, dtype=np.float64)
    if b.shape != p.shape or b.size == 0:
        raise InputError("A curve needs as many bit counts as PSNR values, at least one.")
    order = np.argsort(b)
    b, p = b[order], np.maximum.accumulate(p[order])  # a larger size that scores lower is never chosen
    if p[-1] < target:
        return None
    if p[0] >= target:
        return float(b[0])
    k = int(np.argmax(p >= target))  # first point at or above the target; p[k - 1] < target
    t = (target - p[k - 1]) / (p[k] - p[k - 1])
    return float(np.exp(np.log(b[k - 1]) + t * (np.log(b[k]) - np.log(b[k - 1]))))


def bits_for_psnr(sweep: list[dict], target: float) -> dict:
    """The bits per digit an image codec needs for `target` mean dB, from its sweep (points with
    "file_bits", "payload_bits" and "psnr", as bench/compress.py stores them): {"payload": bits,
    "file": bits, "at_least": whether even its smallest point already scores higher}; None when no
    point of the sweep gets there."""
    psnrs = [p["psnr"] for p in sweep]
    out = {kind: bits_at_psnr([p[f"{kind}_bits"] for p in sweep], psnrs, target) for kind in ("payload", "file")}
    return {**out, "at_least": min(psnrs) >= target}


def break_even_digits(side_bytes: float, code_bits: float, codec_bits: float | None) -> float | None:
    """After how many digits a codec whose receiver first needs `side_bytes` (the decoder) has sent fewer
    bits in all than one spending `codec_bits` per digit instead of `code_bits`; None if it never does."""
    if codec_bits is None or codec_bits <= code_bits:
        return None
    return 8 * side_bytes / (codec_bits - code_bits)


# --- the stored ranges -----------------------------------------------------------------------------------

def summarize(model: nn.Module, train_images, source: str = "", sha256: str = "",
              percentile: float = RANGE_PERCENTILE) -> dict:
    """The codec of `model`: quantisation ranges of its code units over `train_images` (N, 28, 28), with
    min/max for reference and the side information's size. JSON-ready."""
    codes = encode_all(model, train_images)  # (N, d)
    low, high = code_ranges(codes, percentile)
    return {
        "format": CODEC_FORMAT,
        "dim": int(codes.shape[1]),
        "range": f"per code unit, the [{percentile}, {100 - percentile}] percentiles of the training codes",
        "percentile": percentile,
        "low": _short(low),
        "high": _short(high),
        "min": _short(codes.min(axis=0)),
        "max": _short(codes.max(axis=0)),
        **side_information(model),
        "data": {"source": source, "n": int(len(codes))},
        "sha256": sha256,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _short(values) -> list[float]:
    """float32 values as the shortest decimals that read back as the same float32 (small JSON, exact)."""
    return [float(np.format_float_positional(v, unique=True, trim="-"))
            for v in np.asarray(values, dtype=np.float32).ravel()]


def ranges_of(codec: dict) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of a codec summary, float32."""
    return np.asarray(codec["low"], dtype=np.float32), np.asarray(codec["high"], dtype=np.float32)


def is_stale(codec: dict, card: dict) -> bool:
    """True when the ranges were computed for other weights than the ones the card describes."""
    return codec.get("sha256") != card.get("sha256")


def codec_path(name: str, folder: str | Path | None = None) -> Path:
    """`<folder>/<name>.codec.json` (default folder: the checkpoint folder)."""
    return checkpoint.companion_path(name, SUFFIX, folder)


def save_codec(codec: dict, name: str, folder: str | Path | None = None) -> Path:
    """Write the codec summary of checkpoint `name` atomically; returns its path."""
    return checkpoint.save_companion({"name": name, **codec}, name, SUFFIX, folder, compact=True)


def load_codec(name: str, folder: str | Path | None = None) -> dict:
    """The codec summary of `name`; ValueError (with what to do) when it is missing or unreadable."""
    command = f"python -m ae_core.compress --name {name}"
    codec = checkpoint.load_companion(name, SUFFIX, "an AE Lab codec summary", command,
                                      ("format", "dim", "low", "high", "sha256"), folder)
    if codec["format"] != CODEC_FORMAT or len(codec["low"]) != codec["dim"] or len(codec["high"]) != codec["dim"]:
        raise InputError("{file} is not a codec summary of this version; recompute it with `{command}`.",
                         file=codec_path(name, folder).name, command=command)
    return codec


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Store a checkpoint's code quantisation ranges (its codec).")
    parser.add_argument("--name", required=True, help="checkpoint name, e.g. standard_d30")
    parser.add_argument("--out", default=None, help="checkpoint folder to read and write (default: checkpoints/)")
    parser.add_argument("--percentile", type=float, default=RANGE_PERCENTILE,
                        help=f"range of a unit: [p, 100 - p] percentiles of its training codes (default: "
                             f"{RANGE_PERCENTILE})")
    args = parser.parse_args(argv)

    from ae_core.data import load_mnist

    model, card = checkpoint.load(args.name, args.out)
    if not has_code(model):
        parser.error(f"{args.name} has no bottleneck (no code), so it is no compressor.")
    digits = load_mnist(train=True)
    print(digits.note)
    codec = summarize(model, digits.images, digits.source, card["sha256"], args.percentile)
    path = save_codec(codec, args.name, args.out)
    print(f"{path}: ranges of {codec['dim']} code units over {codec['data']['n']:,} training digits; decoder "
          f"{codec['decoder_bytes']:,} bytes, ranges {codec['range_bytes']} bytes")


if __name__ == "__main__":
    main()

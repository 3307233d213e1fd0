"""Settings for models and training, as dataclasses.

A model is always built from a `ModelConfig` (`build_model(cfg)`), and a checkpoint's card stores both
configs as plain dicts, so every committed model can be rebuilt exactly from its card.
"""

from dataclasses import asdict, dataclass, fields

from ae_core.errors import InputError

ARCHITECTURES = ("linear", "conv", "unet", "resunet")
CODELESS = ("unet", "resunet")  # the inpainting U-Nets: no bottleneck, so no code for latent-space pages
LOSSES = ("mse", "bce", "psnr")
NOISE_KINDS = ("none", "dropout", "mask", "patch", "gaussian", "mixed", "downsample")
SHRINK_FACTORS = (2, 4, 7, 14)  # the factors "downsample" can shrink a 28x28 digit by


@dataclass
class ModelConfig:
    # "linear": the lecture's 784 -> d -> 784; "conv": a small convolutional AE;
    # "unet": a mask-aware U-Net inpainter (no bottleneck, so no code: code_size is ignored);
    # "resunet": the same contract built from normalised residual blocks (trains at any width)
    arch: str = "linear"
    code_size: int = 30  # d, the size of the hidden code h (the lecture: 30 standard, 500 denoising)
    tied: bool = False  # linear only: decoder weight W_x = W_h^T (the lecture's note on PCA)
    channels: int = 32  # conv, unet, resunet: channels of the first conv layer (each level down doubles them)

    def __post_init__(self):
        if self.arch not in ARCHITECTURES:
            raise InputError("Unknown architecture {arch!r}; choose one of {options}.", arch=self.arch,
                             options=", ".join(ARCHITECTURES))
        if not 1 <= self.code_size <= 4096:
            raise InputError("The code size must be between 1 and 4096, not {size}.", size=self.code_size)
        if self.tied and self.arch != "linear":
            raise InputError("Tied weights exist only for the linear autoencoder.")
        if self.channels < 1:
            raise InputError("The number of channels must be positive, not {channels}.", channels=self.channels)


@dataclass
class TrainConfig:
    epochs: int = 20  # passes over the training set (the lecture: 20)
    batch_size: int = 256  # the lecture: 256
    lr: float = 1e-3  # Adam learning rate (the lecture: 1e-3)
    cosine: bool = False  # decay the learning rate to 0 along a cosine over all batches (the lecture: off)
    warmup: int = 0  # batches over which the learning rate ramps up linearly from 0 (the lecture: none)
    # "mse" for real-valued pixels, "bce" on [0, 1] pixels (the lecture's two losses); "psnr": minus each
    # digit's PSNR, averaged, which is the benchmark's figure (it weighs every digit alike, where MSE
    # favours the badly damaged ones)
    loss: str = "mse"
    # corruption applied to the inputs: "none" trains a standard AE, else a denoising AE;
    # "mixed" draws dropout, mask, patch or gaussian for each batch; "downsample" trains super-resolution
    noise: str = "none"
    # drop rate for "dropout"/"mask"; sigma for "gaussian"; patch side / 28 for "patch"; shrink factor for
    # "downsample"
    p: float = 0.5
    # if set, each batch draws its level uniformly from [p, p_max] ("downsample": one of the factors
    # 2, 4, 7, 14 in that range)
    p_max: float | None = None
    contractive: float = 0.0  # lambda of the contractive penalty (linear, untied-or-tied, models only)
    seed: int = 0  # seeds the weights, the shuffling and the noise

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise InputError("Unknown loss {loss!r}; choose one of {options}.", loss=self.loss,
                             options=", ".join(LOSSES))
        if self.noise not in NOISE_KINDS:
            raise InputError("Unknown noise {noise!r}; choose one of {options}.", noise=self.noise,
                             options=", ".join(NOISE_KINDS))
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise InputError("Epochs, batch size and learning rate must be positive.")
        if self.warmup < 0:
            raise InputError("The warm-up must be a number of batches >= 0, not {warmup}.", warmup=self.warmup)
        if self.p < 0 or (self.p_max is not None and self.p_max < self.p):
            raise InputError("The noise level must be >= 0, and p_max (if given) must be >= p.")
        top = self.p if self.p_max is None else self.p_max
        if self.noise == "downsample" and not any(self.p <= f <= top for f in SHRINK_FACTORS):
            raise InputError("Downsampling needs a shrink factor of 2, 4, 7 or 14 in [p, p_max], not {p}.", p=self.p)
        if self.contractive < 0:
            raise InputError("The contractive weight lambda must be >= 0.")


def from_dict(cls, values: dict):
    """Rebuild a config dataclass from a card's dict, ignoring keys this version does not know."""
    if not isinstance(values, dict):
        raise InputError("Expected a dict of {settings} settings, got {found}.", settings=cls.__name__,
                         found=type(values).__name__)
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in known})


__all__ = ["ModelConfig", "TrainConfig", "from_dict", "asdict"]

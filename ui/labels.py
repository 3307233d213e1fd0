"""A model card's settings by their short names, in the session's language: the card holds language-free codes
("linear", "dropout"), which Home's tables, the Train page and Repair's pickers show translated."""

from ui.i18n import N_, _

ARCHITECTURES = {"linear": N_("linear"), "conv": N_("conv")}
NOISES = {"none": N_("none"), "dropout": N_("dropout"), "mask": N_("mask"), "patch": N_("patch"),
          "gaussian": N_("gaussian"), "mixed": N_("mixed"), "downsample": N_("downsample")}


def architecture(code: str) -> str:
    """An architecture's short name ("linear"); a code without one (a U-Net's "unet") as it is."""
    return _(ARCHITECTURES[code]) if code in ARCHITECTURES else code


def noise(code: str) -> str:
    """A training noise's short name ("dropout"); an unknown code as it is."""
    return _(NOISES[code]) if code in NOISES else code

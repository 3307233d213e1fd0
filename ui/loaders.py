"""Access to ae_core for the pages: model cards (and, later, models cached once per server)."""

import torch

from ae_core import checkpoint

torch.set_num_threads(1)  # one user's work must not starve the others on a 2-core machine


def model_cards() -> tuple[list[dict], list[str]]:
    """(cards of the usable checkpoints, one error sentence per broken one), from checkpoints/.

    Not cached: a few small JSON files read in well under a millisecond, always current."""
    cards, errors = [], []
    for name in checkpoint.list_checkpoints():
        try:
            cards.append(checkpoint.read_card(name))
        except ValueError as err:
            errors.append(str(err))
    return cards, errors

"""Who wins a comparison, said in one sentence: every page that compares methods says it the same way."""

from ae_core import benchmark


def verdict_sentence(psnr: dict[str, float | None], where: str, lecture: str | None = None) -> str:
    """The winner `where` ("on this digit", "at dropout p=0.5") on whole-image PSNR, its lead over the best
    classical method (or, if a classical method wins, how far the best learned one is behind), and how
    the method named `lecture` (the model in the lecture's denoising AE's role) fares against that classical method."""
    v = benchmark.verdict(psnr)
    text = f"**Winner {where}: {v.winner}** ({v.scores[v.winner]:.1f} dB)"
    if v.best_classical is None:
        text += "; no classical method applies (no pixel is known)."
    elif v.winner == v.best_classical:
        text += ", a classical method"
        if v.best_learned is not None:
            text += f": the best autoencoder method, {v.best_learned}, is {-v.margin():.1f} dB behind"
        text += "."
    else:
        text += f", {v.margin(v.winner):+.1f} dB over {v.best_classical}, the best classical method here."
    gap = v.margin(lecture) if lecture else None
    if gap is not None:
        text += (f" The denoising AE, {lecture}, {'beats' if gap > 0 else 'loses to'} {v.best_classical} "
                 f"by {abs(gap):.1f} dB.")
    return text

"""Who wins a comparison, said in one sentence: every page that compares methods says it the same way."""

from ae_core import benchmark
from ui.figures import method_label
from ui.i18n import _


def verdict_sentence(psnr: dict[str, float | None], where: str, lecture: str | None = None) -> str:
    """The winner `where` ("on this digit", "at dropout p=0.5", already translated) on whole-image PSNR, its lead
    over the best classical method (or, if a classical method wins, how far the best learned one is behind), and
    how the method named `lecture` (the model in the lecture's denoising AE's role) fares against that classical
    method. Whole translated sentences, the names and numbers filled in."""
    v = benchmark.verdict(psnr)
    names = {"where": where, "winner": method_label(v.winner), "score": v.scores[v.winner]}
    if v.best_classical is None:
        text = _("**Winner {where}: {winner}** ({score:.1f} dB); no classical method applies (no pixel is known).",
                 **names)
    elif v.winner == v.best_classical and v.best_learned is not None:
        text = _("**Winner {where}: {winner}** ({score:.1f} dB), a classical method: the best autoencoder method, "
                 "{learned}, is {behind:.1f} dB behind.", **names, learned=method_label(v.best_learned),
                 behind=-v.margin())
    elif v.winner == v.best_classical:
        text = _("**Winner {where}: {winner}** ({score:.1f} dB), a classical method.", **names)
    else:
        text = _("**Winner {where}: {winner}** ({score:.1f} dB), {lead:+.1f} dB over {classical}, the best "
                 "classical method here.", **names, lead=v.margin(v.winner), classical=v.best_classical)
    gap = v.margin(lecture) if lecture else None
    if gap is not None:
        values = {"lecture": method_label(lecture), "classical": v.best_classical, "gap": abs(gap)}
        text += " " + (_("The denoising AE, {lecture}, beats {classical} by {gap:.1f} dB.", **values) if gap > 0
                       else _("The denoising AE, {lecture}, loses to {classical} by {gap:.1f} dB.", **values))
    return text

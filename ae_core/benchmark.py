"""The repair benchmark's building blocks: damage conditions, repair methods, and one fair comparison.

Every method in a comparison repairs the very same damaged digits (damage seeded per digit, as
everywhere in AE Lab), and is scored by the guide's one convention (ae_core.metrics.evaluate). A method
runs a function `(damaged, known, observed) -> repaired`, all (N, 28, 28):
- `damaged`: what the damage produced (for lecture dropout: kept pixels x 1/(1-p), dropped ones 0);
- `known`: True where a pixel survived;
- `observed`: the clean digit with every unknown pixel zeroed, which is all that inpainting baselines
  and manifold projection may look at. No method is ever handed the clean digit itself.

bench/quality.py runs the full benchmark; the Benchmarks page evaluates one model on a slice.
"""

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import torch
from torch import nn

from ae_core import baselines, inference, metrics, noise
from ae_core.errors import InputError

CHUNK = 2000  # digits per model call: bounds memory on the 10k test set
PATCH = {"top": 9, "left": 9, "size": 10}  # the grey patch: 10x10 over the centre, where the strokes are
GAUSSIAN_SIGMA = 0.5  # on [-1, 1] pixels, i.e. 0.25 on [0, 1]


@dataclass(frozen=True)
class Method:
    """A repair method: `run(damaged, known, observed) -> repaired`. Inpainting fills holes from the
    pixels around them, so with nothing known (Gaussian noise touches every pixel) it has nothing to
    work from: `needs_known` methods are not run there."""

    run: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
    needs_known: bool = False


@dataclass(frozen=True)
class Condition:
    """One kind of damage at one level: ("dropout", 0.5), ("mask", 0.3), ("patch", 10), ("gaussian", 0.5)."""

    kind: str
    level: float

    @property
    def label(self) -> str:
        if self.kind == "patch":
            return f"grey patch {int(self.level)}x{int(self.level)}"
        if self.kind == "gaussian":
            return f"gaussian sigma={self.level:g}"
        return f"{self.kind} p={self.level:g}"

    def apply(self, clean: torch.Tensor, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        """(damaged, known) for the clean digits (N, 28, 28); digit i's damage uses seed + i."""
        if self.kind == "patch":
            size = int(self.level)
            return noise.patch(clean, top=PATCH["top"], left=PATCH["left"], size=size)
        return noise.corrupt(clean, self.kind, self.level, seed=seed)


def standard_conditions(rates=(0.1, 0.3, 0.5, 0.7, 0.9)) -> list[Condition]:
    """The benchmark's damage: lecture dropout and plain masking at each rate, a grey patch, Gaussian noise."""
    return ([Condition("dropout", p) for p in rates] + [Condition("mask", p) for p in rates]
            + [Condition("patch", PATCH["size"]), Condition("gaussian", GAUSSIAN_SIGMA)])


def observe(clean: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
    """The clean digits with every unknown pixel zeroed: what inpainting is allowed to see."""
    return torch.where(known, clean, torch.zeros_like(clean))


def one_shot(model: nn.Module) -> Method:
    """The model's output for the damaged digits, as it is (the lecture's denoising AE at work)."""
    def run(damaged, known, observed):
        return torch.cat([inference.repair(model, damaged[i:i + CHUNK], known[i:i + CHUNK])
                          for i in range(0, len(damaged), CHUNK)])
    return Method(run)


def projection(model: nn.Module, steps: int = inference.PROJECTION_STEPS) -> Method:
    """Manifold projection: start from the damaged digit (clipped to [-1, 1]), iterate the model on the
    unknown pixels with the known ones pasted back each time (ae_core.inference.project)."""
    def run(damaged, known, observed):
        start = damaged.clamp(-1, 1)
        return torch.cat([inference.project(model, observed[i:i + CHUNK], known[i:i + CHUNK],
                                            start=start[i:i + CHUNK], steps=steps)
                          for i in range(0, len(damaged), CHUNK)])
    return Method(run)


INPAINTERS = {"telea": baselines.inpaint_telea, "navier-stokes": baselines.inpaint_navier_stokes,
              "biharmonic": baselines.inpaint_biharmonic}
PARALLEL_MIN = 256  # digits below which worker processes cost more than they save


def inpainting(which: str, workers: int = 1) -> Method:
    """Classical inpainting of the unknown pixels: OpenCV's "telea" or "navier-stokes" (radius 3, the
    lecture's) or scikit-image's "biharmonic". With `workers` > 1, a large batch is split over that
    many processes (biharmonic, a few ms per digit, is the slow part of the 10k test set)."""
    inpaint = INPAINTERS[which]

    def run(damaged, known, observed):
        if workers <= 1 or len(observed) < PARALLEL_MIN:
            return inpaint(observed, known)
        return _in_processes(inpaint, observed, known, workers)
    return Method(run, needs_known=True)


def _in_processes(inpaint, observed: torch.Tensor, known: torch.Tensor, workers: int) -> torch.Tensor:
    """inpaint(observed, known) on (N, 28, 28), in `workers` fresh processes, one slice each.

    Spawned, not forked: a forked child of a process that has run torch's OpenMP threads can hang."""
    slices = [(observed[i::workers].numpy(), known[i::workers].numpy()) for i in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        parts = list(pool.map(inpaint, *zip(*slices, strict=True)))
    out = torch.empty_like(observed)
    for i, part in enumerate(parts):
        out[i::workers] = torch.from_numpy(part)
    return out


CLASSICAL = {"Telea": "telea", "Navier-Stokes": "navier-stokes", "Biharmonic": "biharmonic"}  # shown name -> kind


def classical_methods(workers: int = 1) -> dict[str, Method]:
    """The classical inpainting methods every comparison includes, by the name tables and plots show."""
    return {name: inpainting(kind, workers) for name, kind in CLASSICAL.items()}


# No repair at all: the damaged digit, clipped as it is shown. The floor every method must beat.
NO_REPAIR = "damaged (no repair)"
LECTURE_DENOISING = "denoising_d500"  # the lecture's denoising AE, whose claim the comparisons re-check
DAMAGED_AS_IS = Method(lambda damaged, known, observed: damaged.clamp(-1, 1))


@dataclass(frozen=True)
class Verdict:
    """Who wins one comparison on a figure where higher is better (PSNR): the overall winner, the best
    classical method and the best learned one (None where a side has no figure)."""

    winner: str
    best_classical: str | None
    best_learned: str | None
    scores: dict[str, float]  # every method that has a figure

    def margin(self, name: str | None = None) -> float | None:
        """`name`'s lead (best_learned's by default) over the best classical method, or None."""
        name = name or self.best_learned
        if name not in self.scores or self.best_classical is None:
            return None
        return self.scores[name] - self.scores[self.best_classical]


def verdict(scores: dict[str, float | None]) -> Verdict:
    """The Verdict of one comparison: method name -> figure (None: not applicable, left out).
    Methods named in CLASSICAL are classical; every other one but NO_REPAIR is learned."""
    scored = {n: float(v) for n, v in scores.items() if v is not None}
    if not scored:
        raise InputError("No method has a figure to compare.")

    def best(names):
        names = [n for n in names if n in scored]
        return max(names, key=scored.get) if names else None
    return Verdict(winner=best(scored), best_classical=best(CLASSICAL),
                   best_learned=best(n for n in scored if n not in CLASSICAL and n != NO_REPAIR), scores=scored)


def margins(verdicts: dict[str, Verdict], name: str | None = None) -> dict[str, float]:
    """`name`'s lead (each condition's best learned method's by default) over the best classical method,
    by condition, for the conditions where both have a figure."""
    leads = {condition: v.margin(name) for condition, v in verdicts.items()}
    return {condition: lead for condition, lead in leads.items() if lead is not None}


@dataclass
class Outcome:
    """One method on one condition: its figures (ae_core.metrics.METRIC_INFO) and the seconds it took."""

    figures: dict[str, float]
    seconds: float


def compare(clean: torch.Tensor, condition: Condition, methods: dict[str, Method],
            seed: int = 0) -> dict[str, Outcome | None]:
    """Damage `clean` (N, 28, 28) once, let every method repair that same damage, score each output.

    A method that cannot apply (inpainting with no known pixel anywhere) maps to None.
    """
    damaged, known = condition.apply(clean, seed=seed)
    results: dict[str, Outcome | None] = {}
    for name, (output, seconds) in repair_all(clean, damaged, known, methods).items():
        results[name] = None if output is None else Outcome(metrics.evaluate(clean, output, known), seconds)
    return results


def repair_all(clean: torch.Tensor, damaged: torch.Tensor, known: torch.Tensor,
               methods: dict[str, Method]) -> dict[str, tuple[torch.Tensor | None, float]]:
    """Every method's repair of the same damage, (N, 28, 28), and the seconds it took; (None, 0.0) for a
    method that cannot apply (inpainting with no known pixel). `clean` is only used to form `observed`."""
    observed = observe(clean, known)
    outputs = {}
    for name, method in methods.items():
        if method.needs_known and not bool(known.any()):
            outputs[name] = (None, 0.0)
            continue
        start = time.perf_counter()
        with torch.inference_mode():
            output = method.run(damaged, known, observed)
        outputs[name] = (output, time.perf_counter() - start)
    return outputs

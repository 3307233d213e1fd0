"""AppTest of the Generate page: class, temperature, count, seed and "New samples" change the samples; every
sample is shown with its nearest training digit; the stored benchmark and the live share are on the page.

st.image stores each picture under a hash of its bytes, so an image's URL changes exactly when its pixels
do: comparing URLs compares pictures.
"""

import json
import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ae_core import checkpoint, generate
from ae_core.data import load_mnist
from ui.loaders import BENCH_RESULTS
from ui.space import SESSION_UPLOADS

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "generate.py")


def _run(session: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    return at.run()


def _images(at: AppTest) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(samples, nearest training digits), each a list of (caption, URL), left to right."""
    assert not at.exception, at.exception
    images = [(caption, url) for image in at.image for caption, url in zip(image.captions, image.value, strict=True)]
    n = len(images) // 2
    return images[:n], images[n:]


def _text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def _copy_checkpoints(folder: Path, *names: str, gauss: bool = True) -> None:
    for name in names:
        suffixes = (".json", ".safetensors") + ((generate.SUFFIX,) if gauss else ())
        for suffix in suffixes:
            shutil.copy(checkpoint.default_dir() / f"{name}{suffix}", folder)


def test_default_page_shows_samples_and_their_nearest_training_digits():
    at = _run()
    samples, nearest = _images(at)
    assert at.title[0].value == "Generate"
    assert at.selectbox(key="gen_model").value == "conv_d30"
    assert at.selectbox(key="gen_class").value == "any digit"
    assert [c for c, _ in samples] == [f"#{k}" for k in range(1, 9)]
    assert len(nearest) == 8 and all(c.startswith(f"#{k + 1}: a ") for k, (c, _) in enumerate(nearest))
    assert len({url for _, url in samples}) == 8  # eight different samples
    text = _text(at)
    train = load_mnist(train=True)  # what the page searches: AE_DATA_DIR's full set, or the fallback
    assert f"searched among all {len(train):,} " in text
    assert ("MNIST training digits" in text) == (train.source == "mnist")
    assert "not a VAE" in text and "Fig. 12" in text  # the lecture's claim and what the models show


def test_the_stored_benchmark_and_the_live_share_are_shown_for_the_chosen_class():
    results = json.loads((BENCH_RESULTS / "generate.json").read_text())
    at = _run()
    at.selectbox(key="gen_class").set_value(3).run()
    text = _text(at)
    nearest = _images(at)[1]
    hits = sum(c.split(": a ")[1].startswith("3,") for c, _ in nearest)
    assert f"**Live:** {hits} of these 8 samples have a nearest training digit of class 3" in text
    stored = results["models"]["conv_d30"]["temperatures"]["1.0"]
    assert f"{stored['share']['3']:.0%} for class 3, {stored['overall']:.1%} over all classes" in text
    assert f"{results['test_digits']['mean_distance']:.1f}" in text  # the yardstick for "new, not a copy"
    assert at.get("plotly_chart")  # the per-class shares of the benchmark
    at.slider(key="gen_temp").set_value(1.5).run()  # a temperature the benchmark ran at: its own row
    assert f"{results['models']['conv_d30']['temperatures']['1.5']['share']['3']:.0%} for class 3" in _text(at)


def test_class_temperature_and_count_change_the_samples():
    at = _run()
    before = _images(at)[0]
    at.selectbox(key="gen_class").set_value(7).run()
    sevens = _images(at)[0]
    assert len(sevens) == 8 and {u for _, u in sevens}.isdisjoint({u for _, u in before})
    assert "Samples** of a 7 from conv_d30" in _text(at)
    at.slider(key="gen_temp").set_value(0.0).run()  # t = 0: every sample is the class's mean code, decoded
    assert len({url for _, url in _images(at)[0]}) == 1
    at.slider(key="gen_temp").set_value(1.0).run()
    assert _images(at)[0] == sevens  # the same seed gives the same samples
    at.slider(key="gen_count").set_value(3).run()
    samples, nearest = _images(at)
    assert samples == sevens[:3] and len(nearest) == 3  # the first three of the same draw


def test_seed_and_new_samples_change_the_samples():
    at = _run()
    before = _images(at)[0]
    at.number_input(key="gen_seed").set_value(5).run()
    seeded = _images(at)[0]
    assert {u for _, u in seeded}.isdisjoint({u for _, u in before})
    at.button(key="gen_new").click().run()
    fresh = _images(at)[0]
    assert at.number_input(key="gen_seed").value != 5
    assert {u for _, u in fresh}.isdisjoint({u for _, u in seeded})


def test_model_picker_offers_only_small_bottleneck_codes():
    at = _run()
    picker = at.selectbox(key="gen_model")
    assert set(picker.options) == {"conv_d30", "standard_d30"}
    assert "denoising_d500: a 500-number code for 784 pixels" in picker.help and "not a bottleneck" in picker.help
    assert "repair_unet: no code" in picker.help
    before = _images(at)[0]
    picker.set_value("standard_d30").run()
    assert {u for _, u in _images(at)[0]}.isdisjoint({u for _, u in before})
    assert "from standard_d30" in _text(at)


def test_a_session_model_gets_its_gaussians_fitted_on_demand(tmp_path):
    model, card = checkpoint.load("standard_d30")
    folder = tmp_path / "mine"
    checkpoint.save(model, "mine", {k: card[k] for k in ("training", "data", "epochs")}, folder)
    at = _run({SESSION_UPLOADS: {"mine": folder}})
    assert "mine" in at.selectbox(key="gen_model").options
    at.selectbox(key="gen_model").set_value("mine").run()
    samples, nearest = _images(at)
    assert len(samples) == len(nearest) == 8
    assert any("has not measured mine" in i.value for i in at.info)
    assert not (folder / f"mine{generate.SUFFIX}").exists()  # fitted in memory, nothing written


def test_no_gaussians_says_how_to_fit_them(tmp_path, monkeypatch):
    _copy_checkpoints(tmp_path, "standard_d30", "denoising_d500", gauss=False)
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    at = _run()
    assert not at.exception
    assert any("python -m ae_core.generate --name standard_d30" in i.value for i in at.info)
    assert not at.image


def test_corrupt_or_stale_gaussians_are_sentences(tmp_path, monkeypatch):
    _copy_checkpoints(tmp_path, "standard_d30")
    monkeypatch.setenv(checkpoint.CHECKPOINT_ENV, str(tmp_path))
    path = tmp_path / "standard_d30.gauss.json"
    summary = json.loads(path.read_text())
    path.write_text(json.dumps({**summary, "sha256": "0" * 64}))
    at = _run()
    assert any("fitted for other weights" in w.value for w in at.warning)
    assert len(_images(at)[0]) == 8  # still usable
    path.write_text("{broken")
    at = _run()
    assert not at.exception
    assert any("standard_d30 cannot generate" in e.value and "not readable JSON" in e.value for e in at.error)
    assert not at.image

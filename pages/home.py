"""Home: what AE Lab is, and the models it ships (read from their model cards)."""

import pandas as pd
import streamlit as st

from ui.loaders import model_cards

st.title("AE Lab")
st.write(
    "An autoencoder learns to reproduce its input through a code: an **encoder** maps a digit x to a "
    "code h, a **decoder** maps h back to a reconstruction x̂. Trained only on digits, it can repair "
    "damaged digits, because whatever it outputs lies near the digits it has seen. AE Lab turns the "
    "NYU Deep Learning lecture *Introduction to autoencoders* into something you can try."
)

st.subheader("Shipped models")
cards, errors = model_cards()
for error in errors:
    st.error(error)
if not cards:
    st.info("No model checkpoints were found in checkpoints/. Train one with "
            "`python -m ae_core.train --name my_model` and reload this page.")
else:
    st.table(pd.DataFrame(
        [{"name": c["name"], "architecture": c["model"]["arch"], "code size d": c["model"]["code_size"],
          "training noise": c["training"]["noise"], "epochs": c["epochs"], "data": c["data"]["source"],
          # a U-Net has no bottleneck: an undamaged digit passes through unchanged, so no clean figure
          "clean PSNR (dB)": None if c["model"]["arch"] == "unet" else c["metrics"]["clean"]["psnr"],
          "dropout PSNR (dB)": c["metrics"]["dropout"]["psnr"]}
         for c in cards]).set_index("name"))
    st.caption("PSNR on the MNIST test set, [0, 1] pixels, averaged per image: higher is better. "
               "Dropout: the lecture's noise at p = 0.5, repaired in one pass.")

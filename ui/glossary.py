"""The lecture's terms in English and Turkish, for Home's glossary (and the test that keeps them out of the
check for English left on a Turkish page: the glossary shows the English terms on purpose)."""

from ui.i18n import N_

# The lecture's terms (week 7, part 3, ../shared/lecture-07-3.md): the English original and the Turkish
# translation's word for it, as the lecture writes it (base form). Data, not messages: the glossary shows both
# languages in every UI. Sorted by the English term; tests/test_i18n.py finds each pair in the lecture.
GLOSSARY = [
    ("affine transformation", "afin dönüşümü"),
    ("anomaly detection", "aykırılık tespiti"),
    ("autoencoder", "otokodlayıcı"),
    ("basic autoencoder", "basit otokodlayıcı"),
    ("bicubic interpolation", "bikübik ara değer bulma"),
    ("brightness", "parlaklık"),
    ("caption to image", "açıklamadan görüntü oluşturma"),
    ("contractive autoencoder", "daraltan otokodlayıcı"),
    ("Cross-Entropy loss", "Çapraz Entropi kaybı"),
    ("data manifold", "veri manifoldu"),
    ("decoder", "kodçözücü"),
    ("denoising autoencoder", "arıtan otokodlayıcı"),
    ("dimension", "boyut"),
    ("dropout mask", "veri iletim sönümü"),
    ("encoder", "kodlayıcı"),
    ("Energy function", "Enerji fonksiyonu"),
    ("grey patch", "gri parça"),
    ("hidden representation", "saklı (kodlanmış) gösterim"),
    ("hidden layer", "saklı katman"),
    ("image compressor", "görüntü sıkıştırma"),
    ("image denoising", "resim arıtma"),
    ("image generation", "resim üretimi"),
    ("image inpainting", "görüntü renklendirme"),
    ("information bottleneck", "bilgi darboğazı"),
    ("input", "girdi"),
    ("interpolation", "ara değer bulma"),
    ("kernels", "çekirdekler"),
    ("latent space", "saklı uzay"),
    ("loss function", "kayıp fonksiyonu"),
    ("manifold", "manifold"),
    ("Mean Squared Error (MSE)", "Ortalama Karesel Hata (MSE)"),
    ("MNIST digits", "MNIST rakamları"),
    ("noise mask", "gürültü maskesi"),
    ("output", "çıktı"),
    ("over-complete hidden layer", "çok doldurulmuş saklı katman"),
    ("pixel space", "piksel uzayı"),
    ("reconstruction", "yeniden oluşturma"),
    ("rotation", "döndürme"),
    ("reconstruction loss", "yeniden oluşturma kaybı"),
    ("squashing", "sıkıştırma"),
    ("standard autoencoder", "standart otokodlayıcı"),
    ("super-resolution", "süper-çözünürlük"),
    ("training", "eğitim"),
    ("training manifold", "eğitim manifoldu"),
    ("shift", "kaydırma"),
    ("transformation", "dönüşüm"),
    ("under-complete hidden layer", "az doldurulmuş saklı katman"),
    ("weights", "ağırlıklar"),
    ("zoom", "yakınlaştırma"),
]
# Where the app's words differ from the lecture's (translated: the note is text, not a term).
GLOSSARY_NOTES = {
    "anomaly detection": N_("The app measures an anomaly score (anomali skoru)."),
    "dropout mask": N_("The app calls this damage sönüm."),
    "grey patch": N_("The app says gri yama."),
    "hidden representation": N_("The app calls it the code h (kod)."),
    "image inpainting": N_("Renklendirme means colorization: the app says görüntü onarımı (inpainting)."),
    "latent space": N_("The lecture once says gizli uzay; the app says saklı uzay."),
    "squashing": N_("The same word as compression: here the tanh after the affine map."),
}

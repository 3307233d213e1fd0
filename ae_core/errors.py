"""Sentences for the user that a user interface can say again in another language: InputError and Message.

ae_core speaks English only, like the rest of the library, but a user interface may not. So a sentence meant for
the user keeps its template, with named fields, and their values: `str()` of it is the English sentence, and a
user interface translates the template (its message id; the app's catalogues extract it from the
`InputError("...")` and `Message("...")` calls) and fills in the values itself, in its own number format.

    InputError  a ValueError that says what a user did wrong
    Message     any other sentence for the user (where digits came from, how a training ended): a str
"""

from functools import partial


class InputError(ValueError):
    """InputError("The code size must be between 1 and 4096, not {size}.", size=0)."""

    def __init__(self, template: str, **values):
        super().__init__(template.format(**values))
        self.template, self.values = template, values

    def __reduce__(self):
        """Pickled (a worker process's error) as its template and values: the English sentence could hold
        braces that the template's str.format would misread."""
        return partial(type(self), self.template, **self.values), ()


class Message(str):
    """Message("Stopped. The model after epoch {epoch} is kept.", epoch=3): the English sentence, as a str,
    that also keeps its template and values. A value may be a Message itself (a reason inside a sentence)."""

    template: str
    values: dict

    def __new__(cls, template: str, **values):
        text = super().__new__(cls, template.format(**values))
        text.template, text.values = template, values
        return text

    def __reduce__(self):
        return partial(type(self), self.template, **self.values), ()

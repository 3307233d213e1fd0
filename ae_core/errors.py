"""InputError: a ValueError that says what a user did wrong, and can be said again in another language.

ae_core speaks English only, like the rest of the library, but a user interface may not: an InputError keeps
its sentence as a template with named fields plus their values. `str(err)` is the English sentence; a user
interface translates `err.template` (its message id; the app's catalogues extract it from the
`InputError("...")` calls) and fills in `err.values` itself, in its own number format.
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

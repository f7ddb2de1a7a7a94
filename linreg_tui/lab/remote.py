"""What of an exception crosses from the training process to the app (`process`)."""

from __future__ import annotations

import pickle


class RemoteError(Exception):
    """An exception raised in the training process, as its type's name and its text."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__(kind, text)
        self.kind, self.text = kind, text

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


def portable(error: BaseException) -> Exception:
    """What of an exception travels back: a builtin one as itself (if it pickles), any
    other as a RemoteError. Unpickling e.g. a torch exception would import torch in the
    app, and a class that needs two arguments (ConfigError) does not unpickle at all."""
    if isinstance(error, Exception) and type(error).__module__ == "builtins":
        try:
            copy = pickle.loads(pickle.dumps(error))
        except Exception:
            pass
        else:
            if isinstance(copy, Exception):
                return copy
    return RemoteError(type(error).__name__, str(error))

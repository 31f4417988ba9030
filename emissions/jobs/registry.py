"""The functions a job may run: a Job row names one by its dotted path, never arbitrary code.

Domain apps mark their long work with @job_function; importing the module registers it, so
the worker, which imports the path a row names, finds it registered or refuses it.
"""

from collections.abc import Callable
from contextlib import suppress

from django.utils.module_loading import import_string

_FUNCTIONS: dict[str, Callable] = {}


class UnknownJobFunction(LookupError):
    pass


def path_of(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def job_function(function: Callable) -> Callable:
    """Allow `function` to run as a job. Its keyword arguments must be JSON values."""
    _FUNCTIONS[path_of(function)] = function
    return function


def resolve(path: str) -> Callable:
    if path not in _FUNCTIONS:
        with suppress(ImportError):
            import_string(path)  # registers it, if it is a job function at all
    try:
        return _FUNCTIONS[path]
    except KeyError:
        raise UnknownJobFunction(f"{path} is not a job function.") from None

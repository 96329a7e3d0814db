"""Test-only fault injection for crash isolation: put this folder on PYTHONPATH with NIANBAO_TEST_CRASH_MARKER set,
and every Python process started with that environment (Dask workers, their spawned extraction children)
kills itself with SIGKILL when extract.pipeline.extract_bytes is given bytes that contain the marker: a
document that takes its reader process down, as a segfault in a C library would. Nothing in nianbao knows
about it; without the variable it does nothing.
"""
import os

_MARK = os.environ.get("NIANBAO_TEST_CRASH_MARKER", "").encode()

if _MARK:
    import importlib.abc
    import importlib.util
    import signal
    import sys

    class _CrashOnMarker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != "extract.pipeline":
                return None
            sys.meta_path.remove(self)
            try:
                spec = importlib.util.find_spec(name)
            finally:
                sys.meta_path.insert(0, self)
            if spec is None or spec.loader is None:
                return spec
            exec_module = spec.loader.exec_module

            def exec_and_wrap(module):
                exec_module(module)
                real = module.extract_bytes

                def extract_bytes(data, *args, **kwargs):
                    if _MARK in bytes(data):
                        os.kill(os.getpid(), signal.SIGKILL)
                    return real(data, *args, **kwargs)

                module.extract_bytes = extract_bytes

            spec.loader.exec_module = exec_and_wrap
            return spec

    sys.meta_path.insert(0, _CrashOnMarker())

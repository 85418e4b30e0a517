"""Where the pyts C runtime lives in this installation, and the flags to build against it.

    cc run_model.c $(python -m pyts.config --cflags --libs) -o run_model

prints ``-I<pyts>/include -L<pyts>/lib -l:libpyts.so.0 -Wl,-rpath,<pyts>/lib``: the header
``pyts/pyts.h``, the shared library (soname libpyts.so.0) and a run path so the program finds it.
The ``pyts-run`` console script runs the bundled executable (nothing in it needs Python)."""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def get_include():
    """Directory holding pyts/pyts.h (as numpy.get_include() for NumPy's headers)."""
    return os.path.join(_HERE, "include")


def get_lib_dir():
    """Directory holding libpyts.so.0."""
    return os.path.join(_HERE, "lib")


def get_library():
    """Full path of the shared library."""
    return os.path.join(get_lib_dir(), "libpyts.so.0")


def get_cli():
    """Full path of the pyts-run executable."""
    return os.path.join(_HERE, "bin", "pyts-run")


def cflags():
    return f"-I{get_include()}"


def libs():
    d = get_lib_dir()
    return f"-L{d} -l:libpyts.so.0 -Wl,-rpath,{d}"


_OPTIONS = {
    "--cflags": cflags,
    "--libs": libs,
    "--includedir": get_include,
    "--libdir": get_lib_dir,
    "--library": get_library,
    "--cli": get_cli,
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or any(a not in _OPTIONS for a in argv):
        bad = [a for a in argv if a not in _OPTIONS]
        if bad:
            print(f"pyts.config: unknown option {bad[0]}", file=sys.stderr)
        print("usage: python -m pyts.config [" + "] [".join(_OPTIONS) + "]", file=sys.stderr)
        return 2
    print(" ".join(_OPTIONS[a]() for a in argv))
    return 0


def run_main():
    """Entry point of the ``pyts-run`` console script: replaces this process by the binary."""
    exe = get_cli()
    if not os.access(exe, os.X_OK):
        print(f"pyts-run: the runtime was not built into this installation ({exe} is missing)", file=sys.stderr)
        sys.exit(1)
    sys.stdout.flush()
    os.execv(exe, [exe] + sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())

"""Build of the pyts._C extension from csrc/.

BLAS: PYTS_BLAS=auto|scipy-openblas|system|none (default auto: the scipy-openblas32 wheel from
the build requirements, vendored next to the extension in pyts/.libs so the installed package
keeps working after the build environment is gone; else a system OpenBLAS via pkg-config; else
the built-in C gemm).
"""
import glob
import os
import shutil
import subprocess

import numpy
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
CORE_LAYERS = ["base", "tensor", "ops", "ir", "interp", "frontend", "serial"]
PY_ONLY_LAYERS = ["trace"]
PY_LAYERS = ["python"]


def sources():
    out = []
    for layer in CORE_LAYERS + PY_ONLY_LAYERS + PY_LAYERS:
        out += sorted(glob.glob(os.path.join("csrc", layer, "*.c")))
    return out


def blas_config():
    mode = os.environ.get("PYTS_BLAS", "auto")
    if mode in ("auto", "scipy-openblas"):
        try:
            import scipy_openblas32 as sob
            return {
                "include_dirs": [sob.get_include_dir()],
                "library_dirs": [sob.get_lib_dir()],
                "libraries": [sob.get_library()],
                "define_macros": [("PTS_BLAS_PREFIX", "scipy_")],
                "runtime_library_dirs": ["$ORIGIN/.libs"],
                "vendor_from": sob.get_lib_dir(),
            }
        except ImportError:
            if mode == "scipy-openblas":
                raise
    if mode in ("auto", "system"):
        try:
            flags = subprocess.check_output(["pkg-config", "--cflags", "--libs", "openblas"],
                                            text=True).split()
            return {
                "include_dirs": [f[2:] for f in flags if f.startswith("-I")],
                "library_dirs": [f[2:] for f in flags if f.startswith("-L")],
                "libraries": [f[2:] for f in flags if f.startswith("-l")],
                "define_macros": [],
                "runtime_library_dirs": [],
                "vendor_from": None,
            }
        except (OSError, subprocess.CalledProcessError):
            if mode == "system":
                raise
    return {"include_dirs": [], "library_dirs": [], "libraries": [],
            "define_macros": [("PTS_BLAS_NONE", "1")], "runtime_library_dirs": [],
            "vendor_from": None}


BLAS = blas_config()


class BuildExt(build_ext):
    """Builds the extension, then vendors the OpenBLAS shared library beside it."""

    def run(self):
        super().run()
        src = BLAS["vendor_from"]
        if not src:
            return
        dest = os.path.join(os.path.dirname(self.get_ext_fullpath("pyts._C")), ".libs")
        os.makedirs(dest, exist_ok=True)
        for f in glob.glob(os.path.join(src, "*.so*")):
            target = os.path.join(dest, os.path.basename(f))
            if not os.path.exists(target) or os.path.getmtime(target) < os.path.getmtime(f):
                shutil.copy2(f, target)


cflags = ["-std=c11", "-Wall", "-Wextra", "-fvisibility=hidden", "-D_GNU_SOURCE",
          "-Wno-cast-function-type"]
if os.environ.get("PYTS_WERROR"):
    cflags.append("-Werror")
if os.environ.get("PYTS_NATIVE"):
    cflags.append("-march=native")
if os.environ.get("PYTS_DEBUG"):
    cflags += ["-O0", "-g", "-UNDEBUG"]

ext = Extension(
    "pyts._C",
    sources=sources(),
    include_dirs=[numpy.get_include(), "csrc"] + BLAS["include_dirs"],
    library_dirs=BLAS["library_dirs"],
    libraries=BLAS["libraries"] + ["m", "pthread", "z"],
    define_macros=BLAS["define_macros"],
    runtime_library_dirs=BLAS["runtime_library_dirs"],
    extra_compile_args=cflags,
    depends=glob.glob("csrc/**/*.h", recursive=True) + glob.glob("csrc/**/*.def", recursive=True),
)

setup(ext_modules=[ext], cmdclass={"build_ext": BuildExt})

"""Build of the pyts._C extension from csrc/.

The standalone C runtime (libpyts, pyts-run, pyts.h) is built by csrc/Makefile into pyts/lib,
pyts/bin and pyts/include with the same BLAS (PYTS_NO_RUNTIME=1 skips it).

BLAS: PYTS_BLAS=auto|scipy-openblas|system|none (default auto: the scipy-openblas32 wheel from
the build requirements, vendored next to the extension in pyts/.libs so the installed package
keeps working after the build environment is gone; else a system OpenBLAS via pkg-config; else
the built-in C gemm).
"""
import glob
import os
import shutil
import subprocess
import sys

import numpy
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
CORE_LAYERS = ["base", "tensor", "ops", "autograd", "ir", "interp", "frontend", "serial"]
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
    if mode == "auto":
        print("pyts: no OpenBLAS found (neither the scipy-openblas32 package nor pkg-config's openblas): "
              "building with the portable C gemm; `pip install scipy-openblas32` for BLAS speed",
              file=sys.stderr)
    return {"include_dirs": [], "library_dirs": [], "libraries": [],
            "define_macros": [("PTS_BLAS_NONE", "1")], "runtime_library_dirs": [],
            "vendor_from": None}


BLAS = blas_config()


def runtime_make_args(out_dir):
    """Arguments of `make -C csrc runtime` for the copy of libpyts and pyts-run shipped in the
    package: the same BLAS as the extension, run paths relative to the package layout."""
    args = [f"OUT={out_dir}", "CFLAGS=" + os.environ.get("PYTS_RUNTIME_CFLAGS", "-O3 -g"),
            "CLI_RPATH=$$ORIGIN/../lib"]
    if os.environ.get("CC"):
        args.append("CC=" + os.environ["CC"])
    defs = BLAS["define_macros"]
    if any(name == "PTS_BLAS_NONE" for name, _ in defs):
        return args + ["BLAS=none"]
    cflags = [f"-D{name}={value}" for name, value in defs] + [f"-I{d}" for d in BLAS["include_dirs"]]
    libs = [f"-L{d}" for d in BLAS["library_dirs"]] + [f"-l{lib}" for lib in BLAS["libraries"]]
    args += ["BLAS=custom", "BLAS_CFLAGS=" + " ".join(cflags), "BLAS_LIBS=" + " ".join(libs)]
    if BLAS["vendor_from"]:
        args.append("LIB_RPATH=$$ORIGIN/../.libs")   # pyts/lib/libpyts.so.0 -> pyts/.libs
    return args


class BuildExt(build_ext):
    """Builds the extension, vendors the OpenBLAS shared library beside it, then builds the
    standalone C runtime with csrc/Makefile into the package: pyts/lib/libpyts.so.0,
    pyts/bin/pyts-run and pyts/include/pyts/pyts.h (no Python in any of them)."""

    def run(self):
        super().run()
        pkg = os.path.dirname(self.get_ext_fullpath("pyts._C"))
        src = BLAS["vendor_from"]
        if src:
            dest = os.path.join(pkg, ".libs")
            os.makedirs(dest, exist_ok=True)
            for f in glob.glob(os.path.join(src, "*.so*")):
                target = os.path.join(dest, os.path.basename(f))
                if not os.path.exists(target) or os.path.getmtime(target) < os.path.getmtime(f):
                    shutil.copy2(f, target)
        self.build_runtime(pkg)

    def build_runtime(self, pkg):
        if os.environ.get("PYTS_NO_RUNTIME"):
            return
        out = os.path.abspath(os.path.join(self.build_temp, "pyts-runtime"))
        jobs = str(self.parallel) if isinstance(self.parallel, int) and self.parallel > 1 else "1"
        cmd = ["make", "-C", os.path.join(HERE, "csrc"), "-j", jobs, "runtime"] + runtime_make_args(out)
        print(" ".join(cmd))
        subprocess.check_call(cmd)
        for sub, name, mode in (("lib", "libpyts.so.0", 0o755), ("bin", "pyts-run", 0o755)):
            os.makedirs(os.path.join(pkg, sub), exist_ok=True)
            target = os.path.join(pkg, sub, name)
            shutil.copyfile(os.path.join(out, name), target + ".tmp")
            os.chmod(target + ".tmp", mode)
            os.replace(target + ".tmp", target)   # a running pyts-run keeps its old file
        inc = os.path.join(pkg, "include", "pyts")
        os.makedirs(inc, exist_ok=True)
        shutil.copyfile(os.path.join(HERE, "csrc", "include", "pyts", "pyts.h"), os.path.join(inc, "pyts.h"))


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

"""Shared driver of the fuzz campaigns: a parent runs a child worker over numbered cases and
restarts it after a crash or a hang (no progress for HANG seconds), printing the case that killed
it. The child writes each case to a progress file before running it."""
import os
import subprocess
import sys
import time


def drive(script, argv, progress, hang=10.0, env=None):
    """Run `script --child --start K --progress FILE argv...` until a child finishes cleanly."""
    start = 0
    while True:
        open(progress, "w").close()
        cmd = [sys.executable, script, "--child", "--start", str(start), "--progress", progress] + argv
        p = subprocess.Popen(cmd, env=env)
        last, size = time.time(), 0
        while p.poll() is None:
            time.sleep(0.5)
            s = os.path.getsize(progress)
            if s != size:
                size, last = s, time.time()
            elif time.time() - last > (hang if s else max(hang, 180)):   # slow start-up under ASan
                p.kill()
                p.wait()
                break
        lines = open(progress, errors="replace").read().splitlines()
        if p.returncode == 0:
            print("DONE", flush=True)
            return
        cases = [ln for ln in lines if ln.split(" ", 1)[0].isdigit()]
        lastline = cases[-1] if cases else "?"
        what = "HANG" if p.returncode == -9 else f"CRASH rc={p.returncode}"
        print(f"{what} :: {lastline[:3000]}", flush=True)
        start = int(lastline.split()[0]) + 1 if cases else start + 1

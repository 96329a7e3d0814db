"""Child processes that end with the process that started them (Linux), so a killed run leaves no orphans.

`SIGKILL` cannot be caught: a parent killed that way never gets to stop its children. The kernel can do it
instead: `prctl(PR_SET_PDEATHSIG, sig)` asks it to send `sig` to a process when the thread that started it
ends. Two ways in:

- `guarded(cmd)` wraps a command line in a tiny exec shim (`python -S -c …`, no import of ours) that sets the
  death signal and then `exec`s the command: the Scrapy crawl, Prefect's temporary API server.
- `die_with_parent()` sets it from inside a Python child, e.g. as a process pool's initializer (the
  extraction workers).

Both check afterwards that the parent is still the one expected (it may have died before the call). On other
systems both do nothing. Used by crawlers/run.py, flows/extract_stage.py and flows/prefect_env.py;
docs/reliability.md ("no orphans") says what each child does on SIGTERM and SIGKILL of `nianbao run`.
"""
from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1

# argv: [python, -S, -c, SHIM, parent pid, signal number, command...]
SHIM = ("import ctypes,os,sys\n"
        "ppid,sig=int(sys.argv[1]),int(sys.argv[2])\n"
        "ctypes.CDLL(None,use_errno=True).prctl(1,sig,0,0,0)\n"
        "os.getppid()==ppid or os.kill(os.getpid(),sig)\n"
        "os.execvp(sys.argv[3],sys.argv[3:])\n")


def supported() -> bool:
    return sys.platform.startswith("linux")


def guarded(cmd: list[str], sig: int = signal.SIGKILL) -> list[str]:
    """`cmd`, started so that the kernel sends it `sig` when the calling thread's process dies."""
    if not supported():
        return list(cmd)
    return [sys.executable, "-S", "-c", SHIM, str(os.getpid()), str(int(sig)), *cmd]


def die_with_parent(sig: int = signal.SIGKILL, parent_pid: int | None = None) -> bool:
    """Ask the kernel to send `sig` to this process when its parent ends; False where that is not possible."""
    if not supported():
        return False
    try:
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if parent_pid is not None and os.getppid() != parent_pid:  # the parent died before we asked
        os.kill(os.getpid(), sig)
    return True


# argv: [python, -S, -c, GROUP_SHIM, parent pid, command...]; the shim leads its own process group
GROUP_SHIM = ("import ctypes,os,signal,sys\n"
              "ppid=int(sys.argv[1])\n"
              "def stop(*_):\n"
              "    os.killpg(0,signal.SIGKILL)\n"
              "signal.signal(signal.SIGTERM,stop)\n"
              "ctypes.CDLL(None,use_errno=True).prctl(1,signal.SIGTERM,0,0,0)\n"
              "os.getppid()==ppid or stop()\n"
              "pid=os.fork()\n"
              "if pid==0:\n"
              "    signal.signal(signal.SIGTERM,signal.SIG_DFL)\n"
              "    try:\n"
              "        os.execvp(sys.argv[2],sys.argv[2:])\n"
              "    except OSError as e:\n"
              "        sys.stderr.write('%s: %s\\n'%(sys.argv[2],e.strerror));os._exit(127)\n"
              "while True:\n"
              "    try:\n"
              "        st=os.waitpid(pid,0)[1];break\n"
              "    except InterruptedError:\n"
              "        pass\n"
              "c=os.waitstatus_to_exitcode(st)\n"
              "sys.exit(c if c>=0 else 128-c)\n")


def guarded_group(cmd: list[str]) -> list[str]:
    """`cmd` under a small supervisor that kills the command's whole process group when the calling thread's
    process dies (start it with `start_new_session=True`, so that the supervisor leads the group).

    For programs that fork helpers of their own: LibreOffice's `soffice` runs `oosplash`, which forks
    `soffice.bin`, and a parent-death signal set by `guarded` would reach only the first of them. The supervisor
    gets SIGTERM from the kernel when the parent dies and answers with SIGKILL to the group; killing the group
    (`os.killpg(proc.pid, …)`) still stops everything at once. Exit status: the command's (128 + n for a signal).
    Raises FileNotFoundError, like Popen, when the program is not found."""
    import shutil

    if shutil.which(cmd[0]) is None:
        raise FileNotFoundError(2, "No such file or directory", cmd[0])
    if not supported():
        return list(cmd)
    return [sys.executable, "-S", "-c", GROUP_SHIM, str(os.getpid()), *cmd]

"""Child processes (ffmpeg) that die with the process that started them.

A worker killed with SIGKILL, an OOM kill or a crash runs no cleanup, and an ffmpeg it started would go on
encoding for minutes, holding cores and writing a file nobody will read. On Linux every child started here asks
the kernel for ``SIGKILL`` when its parent dies (``prctl(PR_SET_PDEATHSIG)``). Elsewhere children start as
usual.

Two details make that safe and true:

* The ``prctl`` call is not made in ``preexec_fn``: that runs Python code between ``fork`` and ``exec`` in a copy
  of a process whose other threads (decoders, ONNX Runtime, a thread pool of clip renders) may hold locks the
  copy then waits on forever. Instead the child execs a fresh, single-threaded Python (``-I -S``: no site, no
  environment) that calls ``prctl``, checks its parent is still the one that started it (else the parent died
  before the call and no signal would ever come) and execs ffmpeg in its place: same process id, same pipes,
  with the death signal kept. It costs a few tens of milliseconds per ffmpeg run.
* The kernel sends the signal when the *thread* that forked the child ends, not the process. A child started by
  a short-lived thread (a thread pool's worker, a generator first advanced on another thread) would be killed
  when that thread ends. So every child is started by one long-lived daemon thread of this module, which lives
  as long as the process (a process made by ``fork`` gets its own on first use).

moviepy's title-card writer (:mod:`mediaops.render.compose`) starts its own ffmpeg; it is fed frames through a
pipe, so when this process dies the pipe closes and that ffmpeg ends at once too.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from queue import SimpleQueue
from typing import Any

#: the program a Linux child runs first: death signal, parent check, then exec the real command in its place.
#: ``_signal`` (built in) rather than ``signal`` (which imports enum): Python ignores SIGPIPE and SIGXFSZ at
#: start-up and ignored signals survive exec, so they are put back for ffmpeg as Popen had set them.
_TRAMPOLINE = (
    "import ctypes,os,sys,_signal\n"
    "ctypes.CDLL(None,use_errno=True).prctl(1,9,0,0,0)\n"  # PR_SET_PDEATHSIG, SIGKILL
    "if os.getppid()!=int(sys.argv[1]):os._exit(137)\n"
    "for n in('SIGPIPE','SIGXFSZ'):\n"
    " if hasattr(_signal,n):_signal.signal(getattr(_signal,n),_signal.SIG_DFL)\n"
    "try:os.execv(sys.argv[2],sys.argv[2:])\n"
    "except OSError as e:sys.stderr.write(f'cannot run {sys.argv[2]}: {e}\\n');os._exit(127)\n"
)


def dies_with_parent() -> bool:
    """Whether children started here are killed when this process dies (Linux with a Python to run)."""
    return sys.platform.startswith("linux") and bool(sys.executable)


def _resolve(program: str) -> str:
    """``program`` as a path to exec, raising ``FileNotFoundError`` here as ``Popen`` would (the trampoline
    would otherwise only report it as an exit status)."""
    found = shutil.which(program) if os.sep not in program else (program if os.access(program, os.X_OK) else None)
    if found is None:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), program)
    return found


def wrapped_command(cmd: Sequence[str]) -> list[str]:
    """The argument list that runs ``cmd`` as a child that dies with this process (``cmd`` itself where that
    is not possible)."""
    if not dies_with_parent():
        return list(cmd)
    return [sys.executable, "-I", "-S", "-c", _TRAMPOLINE, str(os.getpid()), _resolve(cmd[0]), *cmd[1:]]


class _Spawner:
    """One long-lived thread that starts every child, so that no child's death signal is tied to a thread that
    ends before the child should."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: SimpleQueue[tuple[Callable[[], subprocess.Popen[bytes]], Future[subprocess.Popen[bytes]]]]
        self._requests = SimpleQueue()
        self._thread: threading.Thread | None = None

    def reset(self) -> None:
        """Forget the thread (after ``fork``: the child has none)."""
        self._lock = threading.Lock()
        self._requests = SimpleQueue()
        self._thread = None

    def _serve(self) -> None:
        while True:
            start, future = self._requests.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(start())
            except BaseException as exc:  # handed to the caller, which raises it
                future.set_exception(exc)

    def start(self, start: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
        """Run ``start`` on the spawning thread and return the process it started."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="mediaops-spawner", daemon=True)
                self._thread.start()
            if threading.current_thread() is self._thread:
                return start()
        future: Future[subprocess.Popen[bytes]] = Future()
        self._requests.put((start, future))
        try:
            return future.result()
        except BaseException:
            # interrupted while waiting (KeyboardInterrupt): a child started anyway must not be left running
            future.add_done_callback(_kill_started)
            raise


def _kill_started(future: Future[subprocess.Popen[bytes]]) -> None:
    if not future.cancelled() and future.exception() is None:
        process = future.result()
        process.kill()
        process.wait()


_spawner = _Spawner()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_spawner.reset)


def popen(cmd: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(cmd, **kwargs)`` for a child that dies with this process (see the module's notes).

    Raises:
        FileNotFoundError: ``cmd[0]`` cannot be found. OSError: the child cannot be started.
    """
    command = wrapped_command(cmd)
    return _spawner.start(lambda: subprocess.Popen(command, **kwargs))


def run(cmd: Sequence[str], timeout_s: float | None = None, env: Mapping[str, str] | None = None,
        ) -> subprocess.CompletedProcess[bytes]:
    """Run ``cmd`` to the end (stdin empty, stdout and stderr captured) as a child that dies with this process;
    ``env`` replaces the environment when given. Like :func:`subprocess.run` the child is killed when the wait
    is interrupted or times out.

    Raises:
        subprocess.TimeoutExpired: it ran longer than ``timeout_s``. FileNotFoundError: ``cmd[0]`` is missing.
    """
    process = popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    env=dict(env) if env is not None else None)
    with process:
        try:
            stdout, stderr = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
        except BaseException:
            process.kill()
            raise
    return subprocess.CompletedProcess(list(cmd), process.returncode, stdout, stderr)

"""Close the network of this process in the kernel, for processes that run client input.

A query process runs client SPARQL with pyoxigraph, which executes SERVICE by opening an HTTP
connection; a validation process parses client RDF with rdflib, which fetches what a document
names. Refusing such input in Python is a first line only: a parser that reads the input
differently from the one that executes it lets it through. So before such a process touches
client input, ``close_network`` installs a seccomp filter that makes the kernel refuse, for
every thread of the process and every child it may start, whatever the library asks:

- ``socket`` and ``socketpair`` (every address family: these processes need none, and a Unix
  socket would still reach local daemons), with ``EACCES``;
- ``io_uring_setup``/``_enter``/``_register``, with ``ENOSYS`` (io_uring can create sockets
  without the ``socket`` system call, out of the filter's sight);
- any call in another system-call ABI (the filter checks the architecture; a 32-bit call on
  x86_64 kills the process, an x32 call is refused), so a different numbering cannot slip past.

Where the kernel allows it (root, or unprivileged user namespaces), the process also moves to a
new network namespace with no interface but a down loopback: a second, independent wall. It is
optional; the seccomp filter alone suffices, and it is required: if it cannot be installed,
``close_network`` raises and the process must not go on.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import socket
import struct
from narcokg import errors

# prctl / seccomp constants (linux/prctl.h, linux/seccomp.h, linux/audit.h, linux/sched.h).
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

# Classic BPF opcodes.
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K

# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
_OFF_NR = 0
_OFF_ARCH = 4

_X32_SYSCALL_BIT = 0x40000000


class _Arch:
    def __init__(self, audit: int, seccomp: int, blocked: dict[str, int], x32: bool):
        self.audit = audit  # AUDIT_ARCH_* value the kernel puts in seccomp_data.arch
        self.seccomp = seccomp  # number of the seccomp(2) system call
        self.blocked = blocked  # name → number of the calls refused
        self.x32 = x32  # refuse the x32 ABI (x86_64 only)


_IO_URING = {"io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427}

ARCHES = {
    "x86_64": _Arch(0xC000003E, 317, {"socket": 41, "socketpair": 53, **_IO_URING}, x32=True),
    "aarch64": _Arch(0xC00000B7, 277, {"socket": 198, "socketpair": 199, **_IO_URING}, x32=False),
}
ARCHES["amd64"] = ARCHES["x86_64"]
ARCHES["arm64"] = ARCHES["aarch64"]


#: The calls that reach out (``outbound_program``): name → number, per architecture.
_OUTBOUND = {
    "x86_64": {"socket": 41, "connect": 42, "sendto": 44, "sendmsg": 46, "sendmmsg": 307},
    "aarch64": {"socket": 198, "connect": 203, "sendto": 206, "sendmsg": 211, "sendmmsg": 269},
}
_OUTBOUND["amd64"] = _OUTBOUND["x86_64"]
_OUTBOUND["arm64"] = _OUTBOUND["aarch64"]

#: The exit status of a child whose outbound filter could not be installed (before it ran anything).
OUTBOUND_FAILED = 70
_ALU_AND_K = 0x54  # BPF_ALU | BPF_AND | BPF_K
_OFF_ARGS = 16  # seccomp_data.args[0]; each argument is 8 bytes, its low half first (little-endian)
AF_INET, AF_INET6, SOCK_STREAM, SOCK_TYPE_MASK = 2, 10, 1, 0xF


class SandboxError(errors.SandboxError):
    """The network of this process could not be closed; the process must not run client input."""


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def filter_program(arch: _Arch) -> bytes:
    """The BPF program (``struct sock_filter[]``) for ``arch``."""
    refused = [(nr, errno.ENOSYS if name.startswith("io_uring") else errno.EACCES) for name, nr in arch.blocked.items()]
    prog = [
        _insn(_LD_W_ABS, 0, 0, _OFF_ARCH),
        _insn(_JEQ_K, 1, 0, arch.audit),  # our ABI: skip the kill
        _insn(_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        _insn(_LD_W_ABS, 0, 0, _OFF_NR),
    ]
    if arch.x32:
        prog += [
            _insn(_JGE_K, 0, 1, _X32_SYSCALL_BIT),
            _insn(_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EACCES),
        ]
    for nr, err in refused:
        prog += [
            _insn(_JEQ_K, 0, 1, nr),
            _insn(_RET_K, 0, 0, SECCOMP_RET_ERRNO | err),
        ]
    prog.append(_insn(_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    return b"".join(prog)


def outbound_program(arch: _Arch, calls: dict[str, int]) -> bytes:
    """The BPF program of a server that must accept connections and open none: TCP sockets only
    (a listener), no ``connect``, no ``sendto`` with an address (UDP, TCP Fast Open), no
    ``sendmsg``/``sendmmsg`` (their address is out of the filter's sight), no io_uring, one ABI.
    What it answers on the connections it accepted (``send`` is ``sendto`` with no address,
    ``write``, ``writev``) goes on."""
    deny, allow = SECCOMP_RET_ERRNO | errno.EACCES, SECCOMP_RET_ALLOW
    prog = [
        _insn(_LD_W_ABS, 0, 0, _OFF_ARCH),
        _insn(_JEQ_K, 1, 0, arch.audit),
        _insn(_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        _insn(_LD_W_ABS, 0, 0, _OFF_NR),
    ]
    if arch.x32:
        prog += [_insn(_JGE_K, 0, 1, _X32_SYSCALL_BIT), _insn(_RET_K, 0, 0, deny)]
    for name in ("connect", "sendmsg", "sendmmsg"):
        prog += [_insn(_JEQ_K, 0, 1, calls[name]), _insn(_RET_K, 0, 0, deny)]
    for nr in _IO_URING.values():
        prog += [_insn(_JEQ_K, 0, 1, nr), _insn(_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.ENOSYS)]
    prog += [  # socket(family, type, …): AF_INET or AF_INET6, SOCK_STREAM (flags aside)
        _insn(_JEQ_K, 0, 8, calls["socket"]),
        _insn(_LD_W_ABS, 0, 0, _OFF_ARGS),
        _insn(_JEQ_K, 1, 0, AF_INET),
        _insn(_JEQ_K, 0, 4, AF_INET6),
        _insn(_LD_W_ABS, 0, 0, _OFF_ARGS + 8),
        _insn(_ALU_AND_K, 0, 0, SOCK_TYPE_MASK),
        _insn(_JEQ_K, 0, 1, SOCK_STREAM),
        _insn(_RET_K, 0, 0, allow),
        _insn(_RET_K, 0, 0, deny),
    ]
    prog += [  # sendto(fd, buf, len, flags, addr, addrlen): addr must be NULL
        _insn(_JEQ_K, 0, 6, calls["sendto"]),
        _insn(_LD_W_ABS, 0, 0, _OFF_ARGS + 4 * 8),
        _insn(_JEQ_K, 0, 3, 0),
        _insn(_LD_W_ABS, 0, 0, _OFF_ARGS + 4 * 8 + 4),
        _insn(_JEQ_K, 0, 1, 0),
        _insn(_RET_K, 0, 0, allow),
        _insn(_RET_K, 0, 0, deny),
    ]
    prog.append(_insn(_RET_K, 0, 0, allow))
    return b"".join(prog)


def outbound_closer():
    """A function for ``subprocess.Popen(preexec_fn=…)`` that closes the child's outbound network
    (``outbound_program``) before it runs the program; the filter holds across ``exec``. Made in
    the parent, so that the forked child only calls prctl and seccomp. SandboxError here when the
    architecture has no filter; in the child, a failure to install it kills the child."""
    machine = platform.machine().lower()
    arch, calls = ARCHES.get(machine), _OUTBOUND.get(machine)
    if arch is None or calls is None:
        raise SandboxError(f"no seccomp filter for this architecture ({machine}): refusing to start the engine")
    code = outbound_program(arch, calls)
    buf = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(code) // 8, ctypes.addressof(buf))
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    args = (ctypes.c_long(arch.seccomp), ctypes.c_ulong(SECCOMP_SET_MODE_FILTER), ctypes.c_ulong(0))

    def close() -> None:
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or libc.syscall(*args, ctypes.byref(fprog)) != 0:
            os._exit(OUTBOUND_FAILED)  # the engine must not run with its network open

    close.program = buf  # the filter's memory lives as long as the function
    return close


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _install_filter() -> None:
    machine = platform.machine().lower()
    arch = ARCHES.get(machine)
    if arch is None:
        raise SandboxError(f"no seccomp filter for this architecture ({machine}): refusing to run client input")
    libc = _libc()
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    code = filter_program(arch)
    buf = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(code) // 8, ctypes.addressof(buf))
    libc.syscall.restype = ctypes.c_long
    rc = libc.syscall(
        ctypes.c_long(arch.seccomp),
        ctypes.c_ulong(SECCOMP_SET_MODE_FILTER),
        ctypes.c_ulong(SECCOMP_FILTER_FLAG_TSYNC),
        ctypes.byref(fprog),
    )
    if rc != 0:
        # TSYNC answers with the id of a thread it could not synchronise (a positive number).
        err = ctypes.get_errno()
        why = os.strerror(err) if rc < 0 else f"thread {rc} could not be synchronised"
        raise SandboxError(f"seccomp(SECCOMP_SET_MODE_FILTER) failed: {why}")


def _leave_network_namespace() -> bool:
    """Move to a new network namespace (second layer, best effort); True when done.

    Namespaces belong to a thread: call this while the process has one thread only.
    """
    if not hasattr(os, "unshare") and not hasattr(_libc(), "unshare"):
        return False
    libc = _libc()
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(ctypes.c_int(flags)) == 0:
            return True
    return False


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


def _check_closed() -> None:
    for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
        try:
            s = socket.socket(family, socket.SOCK_STREAM)
        except PermissionError:
            continue
        except OSError as exc:
            raise SandboxError(
                f"socket({family.name}) failed with {exc.errno}, not EACCES: the filter is not the one installed"
            ) from None
        s.close()
        raise SandboxError(f"socket({family.name}) still works after the seccomp filter was installed")


#: Whether this process's network is closed (``close_network`` ran), and by what.
state: dict[str, bool] = {"seccomp": False, "netns": False}


def close_network(namespace: bool = True) -> dict[str, bool]:
    """Close the network of this process for good; raise SandboxError if it cannot be done.

    ``namespace``: also try a new network namespace (only when the process has one thread).
    Returns which layers are in place. Calling it again is harmless.
    """
    if state["seccomp"]:
        return dict(state)
    if namespace and _threads() == 1:
        state["netns"] = _leave_network_namespace()
    _install_filter()
    _check_closed()
    state["seccomp"] = True
    return dict(state)

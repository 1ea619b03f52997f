#!/usr/bin/env python3
"""Times `warden demo` to its first screen in a 200x60 pseudo-terminal.

Prints each progress line the demo writes before the dashboard takes the
screen, with seconds since the command started; then feeds the dashboard's
output to a terminal emulator (pyte) and prints the moment the header first
shows the fleet's count (`agents N`, N > 0) and the moment it first shows
alerts (`crit C high H`, C + H > 0).
"""
import os, pty, re, select, struct, sys, time, fcntl, termios, signal
import pyte

argv = sys.argv[1:]
start = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "xterm-256color"
    os.execvp(argv[0], argv)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 200, 0, 0))
os.kill(pid, signal.SIGWINCH)
screen = pyte.Screen(200, 60)
stream = pyte.ByteStream(screen)
line = b""
taken = False
fleet_at = alerts_at = None
deadline = start + 240
while time.monotonic() < deadline and alerts_at is None:
    r, _, _ = select.select([fd], [], [], 0.05)
    if not r:
        continue
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    now = time.monotonic() - start
    if not taken:
        line += data
        while b"\n" in line and b"\x1b[?1049h" not in line.split(b"\n", 1)[0]:
            l, line = line.split(b"\n", 1)
            print(f"{now:7.2f} {l.decode(errors='replace').rstrip()}", flush=True)
        if b"\x1b[?1049h" in line:
            taken = True
            print(f"{now:7.2f} [the dashboard takes the screen]", flush=True)
            stream.feed(line[line.index(b"\x1b[?1049h"):])
        continue
    stream.feed(data)
    header = " ".join(screen.display[:3])
    m = re.search(r"agents (\d+)", header)
    a = re.search(r"crit (\d+) high (\d+)", header)
    if m and int(m.group(1)) > 0 and fleet_at is None:
        fleet_at = now
        print(f"{now:7.2f} [the fleet: agents {m.group(1)}]", flush=True)
    if a and int(a.group(1)) + int(a.group(2)) > 0 and alerts_at is None:
        alerts_at = now
        print(f"{now:7.2f} [alerts: crit {a.group(1)} high {a.group(2)}]", flush=True)
try:
    os.write(fd, b"q")
    time.sleep(1)
    os.kill(pid, signal.SIGTERM)
except OSError:
    pass
os.waitpid(pid, 0)
print("first_screen_s", None if fleet_at is None else round(max(fleet_at, alerts_at or 0), 2))

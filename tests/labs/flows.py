#!/usr/bin/env python3
"""The ECMP lab's client and name service: TCP flows with chosen source addresses and ports,
so that the same flow (the same 4-tuple) can be sent again through another director or after
a change, and the real servers' answer to them.

    flows.py ask VIP PORT FLOWS           one connection per flow, one after the other
    flows.py hold VIP PORT FLOWS GO       opens every flow and keeps it open until the file GO
                                          exists, then sends a line on each
    flows.py serve NAME PORT              the name service on PORT, printing "listening" once
                                          it accepts connections

FLOWS is a file of "ADDRESS PORT" lines (the client's source). The server on the other end
(the lab's name service) sends its name when a connection opens and echoes every line back
after its name; one process serves every connection (a thread each), since forking a program
per connection costs a tenth of a second under the guest's emulation. `ask` prints "ADDRESS:PORT NAME" per flow ("failed" for NAME if there was no
answer); `hold` prints the names at opening, then "opened", then "ADDRESS:PORT ANSWER" for
the line sent after GO appeared ("no answer" when none came back), then "done".

Every connection ends with a reset (SO_LINGER 0), not a FIN: no side keeps the 4-tuple in
TIME_WAIT, so the next round can open the same flow again at once, and the directors'
entries for it end in CLOSE, from which IPVS schedules a new SYN afresh.
"""
import os
import socket
import struct
import sys
import threading
import time

CONNECT_SECONDS = 3.0
ANSWER_SECONDS = 20.0
GO_SECONDS = 120.0


def flows_of(path):
    with open(path) as lines:
        return [(a, int(p)) for a, p in (line.split() for line in lines if line.strip())]


def open_flow(vip, port, source):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.settimeout(CONNECT_SECONDS)
    sock.bind(source)
    sock.connect((vip, port))
    return sock, sock.makefile("r")


def read_line(reader):
    line = reader.readline()
    return line.strip() or "failed"


def ask(vip, port, flows):
    for source in flows:
        try:
            sock, reader = open_flow(vip, port, source)
            try:
                name = read_line(reader)
            finally:
                reader.close()
                sock.close()
        except OSError:
            name = "failed"
        print("%s:%d %s" % (source[0], source[1], name), flush=True)


def hold(vip, port, flows, go):
    opened = []
    for source in flows:
        try:
            sock, reader = open_flow(vip, port, source)
            name = read_line(reader)
            opened.append((source, sock, reader))
        except OSError:
            name = "failed"
        print("%s:%d %s" % (source[0], source[1], name), flush=True)
    print("opened", flush=True)
    deadline = time.monotonic() + GO_SECONDS
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.2)
    for source, sock, reader in opened:
        answer = "no answer"
        try:
            sock.settimeout(ANSWER_SECONDS)
            sock.sendall(b"still-there\n")
            answer = reader.readline().strip() or answer
        except OSError:
            pass
        print("%s:%d %s" % (source[0], source[1], answer), flush=True)
        reader.close()
        sock.close()
    print("done", flush=True)


def answer(conn, name):
    with conn, conn.makefile("rb") as reader:
        try:
            conn.sendall(name + b"\n")
            for line in reader:
                conn.sendall(name + b" " + line)
        except OSError:
            pass


def serve(name, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port))
    listener.listen(128)
    print("listening", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=answer, args=(conn, name.encode()), daemon=True).start()


def main(argv):
    if len(argv) == 5 and argv[1] == "ask":
        ask(argv[2], int(argv[3]), flows_of(argv[4]))
    elif len(argv) == 6 and argv[1] == "hold":
        hold(argv[2], int(argv[3]), flows_of(argv[4]), argv[5])
    elif len(argv) == 4 and argv[1] == "serve":
        serve(argv[2], int(argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)

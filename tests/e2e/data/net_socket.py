# net_socket.py - python3's socket module on sockets (tests/e2e/net.cmake):
# a socketpair, a loopback echo server in a thread, descriptors passed
# with send_fds/recv_fds, a datagram pair, select, a name lookup of
# localhost (from /etc/hosts).  Prints nothing that changes between runs.
import select
import socket, threading, os
a, b = socket.socketpair()
a.sendall(b"hello pair"); print(b.recv(100))
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen()
port = srv.getsockname()[1]
def serve():
    c, addr = srv.accept()
    with c:
        while True:
            d = c.recv(4096)
            if not d: break
            c.sendall(d.upper())
t = threading.Thread(target=serve); t.start()
c = socket.create_connection(("127.0.0.1", port))
c.sendall(b"echo me " * 1000); c.shutdown(socket.SHUT_WR)
got = b""
while True:
    d = c.recv(65536)
    if not d: break
    got += d
print(len(got), got[:16])
t.join()
# fd passing
r, w = os.pipe()
a2, b2 = socket.socketpair()
socket.send_fds(a2, [b"x"], [r])
msg, fds, flags, addr = socket.recv_fds(b2, 10, 4)
os.write(w, b"via fd"); print(msg, len(fds), os.read(fds[0], 10))
print(socket.getaddrinfo("localhost", 80, socket.AF_INET, socket.SOCK_STREAM)[0][4])

u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u1.bind(("127.0.0.1", 0))
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u2.bind(("127.0.0.1", 0))
u1.sendto(b"dgram", u2.getsockname())
print(select.select([u2], [], [], 5)[0] == [u2])
d, src = u2.recvfrom(100)
print(d, src == u1.getsockname())
u2.setblocking(False)
try:
    u2.recv(10)
except BlockingIOError as e:
    print("BlockingIOError", e.errno)

"""A TCP proxy a test controls, to take PostgreSQL or Redis away from the app without touching the
shared servers: `cut()` resets every open connection and refuses new ones (as a server that went
down), `restore()` listens again on the same port (as the server coming back).
"""
import selectors
import socket
import threading


class TcpProxy:
    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.listener = None
        self.port = None
        self.pairs = set()
        self.lock = threading.Lock()
        self.down = False
        self.listen()

    def listen(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or 0))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self.listener = listener
        self.generation = getattr(self, "generation", 0) + 1
        threading.Thread(target=self.accept_loop, args=(listener,), daemon=True, name="tcp-proxy").start()

    def accept_loop(self, listener):
        generation = self.generation
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return    # the listener was closed by cut()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                # a connection accepted just before cut() closed the listener must not outlive the cut
                alive = self.generation == generation and not self.down
                if alive:
                    self.pairs.add((client, upstream))
            if not alive:
                self.drop((client, upstream))
                return
            threading.Thread(target=self.pump, args=(client, upstream), daemon=True).start()

    def pump(self, client, upstream):
        selector = selectors.DefaultSelector()
        try:
            # cut() may close the sockets at any moment: a closed one reads as fd -1 (ValueError)
            selector.register(client, selectors.EVENT_READ, upstream)
            selector.register(upstream, selectors.EVENT_READ, client)
            while True:
                for key, _ in selector.select():
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            self.drop((client, upstream))

    def drop(self, pair):
        with self.lock:
            self.pairs.discard(pair)
        for sock in pair:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sock.close()    # linger 0: a reset, as when the server process dies
            except OSError:
                pass

    def cut(self):
        """The server is gone: open connections are reset, new ones refused."""
        try:
            # wakes the accept() blocked in the other thread: close() alone would leave it waiting,
            # and it would still take one more connection
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        with self.lock:
            self.down = True
        self.listener.close()
        with self.lock:
            pairs = list(self.pairs)
        for pair in pairs:
            for sock in pair:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.drop(pair)

    def restore(self):
        self.down = False
        self.listen()

    def close(self):
        self.cut()

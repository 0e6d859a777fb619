// A TCP port free on `ip` now, for a server that cannot listen on port 0 itself (coturn,
// PostgreSQL, a server in a network namespace): the kernel picks it, the listener is closed at once.
import net from 'node:net';

export async function freePort(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, ip, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

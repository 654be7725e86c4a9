// A round-robin TCP load balancer for end-to-end tests: each new connection goes to the next
// backend port on 127.0.0.1, and the bytes are piped both ways untouched (no headers added).
//
//   const lb = await startBalancer([portA, portB]);
//   lb.url   // 'http://127.0.0.1:PORT'
//   lb.log   // [{ n, backend, line }]: per connection, in order, the backend port it went to
//            // and the first request line seen on it, e.g. 'POST /token HTTP/1.1'
//   await lb.stop();
//
// Only the first request of a connection is logged: to see where every request lands, send
// each on its own connection (see `freshFetch` in replicas.test.mjs).

import net from 'node:net';

const HOST = '127.0.0.1';

export async function startBalancer(ports) {
  if (!ports?.length) throw new TypeError('startBalancer: give at least one backend port');
  const log = [];
  const sockets = new Set();
  let next = 0;

  const server = net.createServer((client) => {
    const backend = ports[next % ports.length];
    next += 1;
    const entry = { n: log.length, backend, line: undefined };
    log.push(entry);
    const upstream = net.connect({ port: backend, host: HOST });
    sockets.add(client);
    sockets.add(upstream);
    const peek = (chunk) => {
      entry.line = chunk.toString('latin1').split('\r\n', 1)[0];
      client.off('data', peek);
    };
    client.on('data', peek);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => { sockets.delete(client); upstream.end(); });
    upstream.on('close', () => { sockets.delete(upstream); client.end(); });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  const { port } = server.address();
  return {
    port,
    url: `http://${HOST}:${port}`,
    log,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// Small helpers shared by the Node.js test scripts (tests/interop, tests/fhir-validation).
import net from 'node:net';

export const fail = (message) => {
  throw new Error(message);
};

// Logs "ok: <message>" when `condition` holds; throws otherwise.
export const check = (condition, message) => {
  if (!condition) fail(message);
  console.log(`ok: ${message}`);
};

// A loopback port that was free a moment ago.
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

// Polls `predicate` (sync or async) every 50 ms; throws "timed out waiting for <what>".
export async function waitFor(predicate, what, ms = 20000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  fail(`timed out waiting for ${what}`);
}

// True once something accepts TCP connections on 127.0.0.1:`port`.
export function isListening(port) {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
}

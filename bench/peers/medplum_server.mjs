// Peer for bench/run.sh: an MLLP server built on @medplum/hl7 (Node). Each message is parsed by
// the library (Hl7Message.parse) and answered with its buildAck() (AA, MSA-2 = MSH-10).
// Stores nothing. Usage: node medplum_server.mjs PORT [PORT_FILE]   (PORT 0 picks a free port)
import { writeFileSync, renameSync } from 'node:fs';
import { Hl7Server } from '@medplum/hl7';

const port = Number(process.argv[2] ?? 0);
const portFile = process.argv[3];

const server = new Hl7Server((connection) => {
  connection.addEventListener('message', ({ message }) => {
    connection.send(message.buildAck());
  });
  connection.addEventListener('error', () => {});
});
server.start(port);

server.server.on('listening', () => {
  if (portFile) {
    writeFileSync(`${portFile}.tmp`, `${server.server.address().port}\n`);
    renameSync(`${portFile}.tmp`, portFile);
  }
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.stop({ forceDrainTimeoutMs: 100 }).finally(() => process.exit(0));
  });
}

// Interop: fhir-kit-client (a real, widely used JavaScript FHIR client) talks to explainerd's
// FHIR endpoint: reads the CapabilityStatement, creates and updates a DiagnosticReport, posts a
// transaction Bundle and gets an OperationOutcome for a wrong resource type. A downstream FHIR
// server written here (node:http on loopback) must receive what explainerd forwards.
// Usage: node fhir_kit_client.mjs BUILD_DIR SOURCE_DIR   (exit 77 = skipped: npm deps missing)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { check, fail, freePort, isListening, waitFor } from '../support/node_test.mjs';

const [build, src] = process.argv.slice(2);
let Client;
try {
  ({ Client } = await import('fhir-kit-client'));
} catch {
  console.log('fhir-kit-client is not installed (run npm ci in tests/); skipped');
  process.exit(77);
}

// Downstream FHIR server: records requests, answers 201.
const received = [];
const downstream = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    received.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body });
    res.writeHead(201, { 'Content-Type': 'application/fhir+json' });
    res.end();
  });
});
await new Promise((r) => downstream.listen(0, '127.0.0.1', r));
const downstreamPort = downstream.address().port;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'explainer-fhir-interop-'));
const port = await freePort();
fs.writeFileSync(
  path.join(work, 'explainerd.properties'),
  [
    `paths.data = ${work}/data`,
    `paths.mappings = ${src}/mappings`,
    `paths.content = ${src}/content`,
    'listeners = hook',
    'listener.hook.type = fhir',
    `listener.hook.port = ${port}`,
    'listener.hook.base_path = /fhir',
    'destinations = ehr',
    'destination.ehr.type = fhir',
    `destination.ehr.base_url = http://127.0.0.1:${downstreamPort}/r4`,
    'destination.ehr.enrich = false',
    '',
  ].join('\n'),
);
const log = fs.openSync(path.join(work, 'explainerd.log'), 'w');
const daemon = spawn(path.join(build, 'engine/app/explainerd'), [`--config=${work}/explainerd.properties`], {
  stdio: ['ignore', log, log],
});
let exitCode = 1;
try {
  await waitFor(
    () => isListening(port),
    'explainerd to listen',
  );
  const client = new Client({ baseUrl: `http://127.0.0.1:${port}/fhir` });

  const cs = await client.capabilityStatement();
  check(cs.resourceType === 'CapabilityStatement' && cs.fhirVersion === '4.0.1', 'CapabilityStatement read (4.0.1)');
  const dr = cs.rest[0].resource.find((r) => r.type === 'DiagnosticReport');
  check(dr && dr.interaction.map((i) => i.code).join(',') === 'create,update', 'DiagnosticReport create/update advertised');

  const report = JSON.parse(fs.readFileSync(`${src}/tests/fixtures/fhir/spec_examples/diagnosticreport-example-ultrasound.json`, 'utf8'));
  report.meta = { versionId: '1' };
  const created = await client.create({ resourceType: 'DiagnosticReport', body: report });
  check(created.resourceType === 'DiagnosticReport' && created.id === report.id, 'create returned the report');

  report.meta.versionId = '2';
  const updated = await client.update({ resourceType: 'DiagnosticReport', id: report.id, body: report });
  check(updated.id === report.id, 'update (rest-hook style PUT) accepted');

  const bundle = JSON.parse(fs.readFileSync(`${src}/tests/fixtures/fhir/spec_examples/diagnosticreport-hla-genetics-results-example.json`, 'utf8'));
  const response = await client.transaction({ body: bundle });
  check(response.type === 'transaction-response' && response.entry.length === bundle.entry.length, 'transaction answered with a transaction-response');

  let rejected;
  try {
    await client.create({ resourceType: 'DiagnosticReport', body: { resourceType: 'Patient' } });
  } catch (e) {
    rejected = e.response;
  }
  check(rejected && rejected.status === 400 && rejected.data.resourceType === 'OperationOutcome', 'wrong resource type: 400 with an OperationOutcome');

  await waitFor(() => received.length >= 3, 'three deliveries downstream');
  check(received[0].method === 'PUT' && received[0].url === `/r4/DiagnosticReport/${report.id}`, 'report forwarded as PUT');
  check(JSON.parse(received[1].body).meta.versionId === '2', 'update forwarded');
  check(received[2].method === 'POST' && received[2].url === '/r4' && JSON.parse(received[2].body).type === 'transaction', 'transaction Bundle forwarded');
  console.log('1 passed, 0 failed');
  exitCode = 0;
} catch (e) {
  console.error(`FAIL: ${e.message}`);
  console.error(fs.readFileSync(path.join(work, 'explainerd.log'), 'utf8').slice(-4000));
} finally {
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.on('exit', r));
  downstream.close();
  if (!process.env.KEEP_WORK) fs.rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);

// What a downstream FHIR server receives from explainerd is valid FHIR R4.
//
// A downstream FHIR server written here (node:http on loopback) validates every request body it
// receives against the official R4 schemas — JSON with ajv and fhir.schema.json, XML with
// xmllint and fhir-single.xsd — and answers 201 when valid, 400 with an OperationOutcome when
// not (which explainerd dead-letters). A real explainerd with two FHIR destinations (one JSON in
// bundle mode, one XML in contained mode) is fed every DiagnosticReport fixture in JSON and XML
// (collection Bundles are sent as transaction Bundles, as a Subscription would). The test fails
// unless every delivery arrives, every body is valid, and enriched reports carry our
// DocumentReferences. Inputs that are not valid R4 themselves are left out. A negative control checks that the validators do reject a broken body.
//
// Usage: node downstream_validation.mjs BUILD_DIR SOURCE_DIR   (exit 77 = skipped: tools missing)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { check, fail, freePort, isListening, waitFor } from '../support/node_test.mjs';

const [build, src] = process.argv.slice(2);
const require = createRequire(path.join(src, 'tests', 'package.json'));
let Ajv, addFormats, draft06;
try {
  Ajv = require('ajv');
  addFormats = require('ajv-formats');
  draft06 = require('ajv/lib/refs/json-schema-draft-06.json');
  execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
} catch {
  console.log('ajv (npm ci in tests/) or xmllint missing; skipped');
  process.exit(77);
}

const xsd = path.join(src, 'tests/fixtures/fhir-schemas/fhir-single.xsd');
const schema = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(src, 'engine/fhir/gen/fhir.schema.json.gz'))).toString('utf8'));
if (schema.id && !schema.$id) {
  schema.$id = schema.id;
  delete schema.id;
}
const ajv = new Ajv({ strict: false, allErrors: false });
ajv.addMetaSchema(draft06);
addFormats(ajv);
const validateJson = ajv.compile(schema);

// Returns null when `body` is valid FHIR R4 of the given media type, else the reason.
function invalidity(body, contentType) {
  if (/xml/.test(contentType || '')) {
    try {
      execFileSync('xmllint', ['--noout', '--nonet', '--schema', xsd, '-'], { input: body, stdio: ['pipe', 'ignore', 'pipe'] });
      return null;
    } catch (e) {
      return `xmllint: ${String(e.stderr).split('\n').slice(0, 3).join(' | ')}`;
    }
  }
  let data;
  try {
    data = JSON.parse(body);
  } catch (e) {
    return `not JSON: ${e.message}`;
  }
  if (validateJson(data)) return null;
  return (validateJson.errors || []).slice(0, 3).map((e) => `${e.instancePath} ${e.message}`).join('; ');
}

// Negative controls: the validators must reject what is not FHIR.
check(invalidity('{"resourceType":"DiagnosticReport","status":"final"}', 'application/fhir+json') !== null, 'ajv rejects a DiagnosticReport without code');
check(
  invalidity('<DiagnosticReport xmlns="http://hl7.org/fhir"><status value="final"/></DiagnosticReport>', 'application/fhir+xml') !== null,
  'xmllint rejects a DiagnosticReport without code',
);

// The validating downstream server.
const received = [];
const downstream = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const reason = invalidity(body, req.headers['content-type']);
    received.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body, reason });
    if (reason === null) {
      res.writeHead(201, { 'Content-Type': 'application/fhir+json' });
      res.end();
    } else {
      res.writeHead(400, { 'Content-Type': 'application/fhir+json' });
      res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'structure', diagnostics: reason.slice(0, 500) }] }));
    }
  });
});
await new Promise((r) => downstream.listen(0, '127.0.0.1', r));
const downstreamPort = downstream.address().port;

// What to post: [label, url path, content type, body, JSON twin of an XML input or undefined].
function requests() {
  const out = [];
  const dirs = ['radiology', 'spec_examples', 'us_core', 'handwritten'].map((d) => path.join(src, 'tests/fixtures/fhir', d));
  for (const dir of dirs) {
    for (const name of fs.readdirSync(dir).sort()) {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      if (name.endsWith('.json')) {
        const resource = JSON.parse(text);
        // JSON and XML twins share ids; suffixes keep them from being answered as duplicates.
        if (resource.resourceType === 'DiagnosticReport') {
          resource.id = `${resource.id || 'dr'}-j`;
          out.push([name, '/fhir/DiagnosticReport', 'application/fhir+json', JSON.stringify(resource)]);
        } else if (resource.resourceType === 'Bundle') {
          resource.type = 'transaction';
          for (const entry of resource.entry || []) {
            const r = entry.resource;
            if (!r) continue;
            r.id = `${r.id || 'r'}-j`;
            entry.request = { method: 'PUT', url: `${r.resourceType}/${r.id}` };
            delete entry.search;
          }
          delete resource.total;
          out.push([name, '/fhir', 'application/fhir+json', JSON.stringify(resource)]);
        }
      } else if (name.endsWith('.xml') && /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<DiagnosticReport[\s>]/.test(text)) {
        // Collection Bundles in XML are left out: the JSON twins cover them.
        const body = text.replace(/<id value="([^"]*)"/, (_, id) => `<id value="${id}-x"`);
        // An XML input goes to the JSON destination too: its JSON twin must be valid as well.
        const twin = path.join(dir, name.replace(/\.xml$/, '.json'));
        const twinText = fs.existsSync(twin) ? fs.readFileSync(twin, 'utf8') : null;
        out.push([name, '/fhir/DiagnosticReport', 'application/fhir+xml', body, twinText]);
      }
    }
  }
  return out;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'explainer-fhir-downstream-'));
const port = await freePort();
fs.writeFileSync(
  path.join(work, 'explainerd.properties'),
  [
    `paths.data = ${work}/data`,
    `paths.mappings = ${src}/mappings`,
    `paths.content = ${src}/content`,
    'content.require_approved = false',
    'listeners = hook',
    'listener.hook.type = fhir',
    `listener.hook.port = ${port}`,
    'listener.hook.base_path = /fhir',
    'destinations = ehrjson, ehrxml',
    'destination.ehrjson.type = fhir',
    `destination.ehrjson.base_url = http://127.0.0.1:${downstreamPort}/json`,
    'destination.ehrjson.format = json',
    'destination.ehrjson.fhir_mode = bundle',
    'destination.ehrxml.type = fhir',
    `destination.ehrxml.base_url = http://127.0.0.1:${downstreamPort}/xml`,
    'destination.ehrxml.format = xml',
    'destination.ehrxml.fhir_mode = contained',
    'retry.initial_ms = 50',
    'retry.max_ms = 200',
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
    'explainerd to listen', 60000,
  );
  // Inputs that are not valid R4 themselves (the spec's gingival-mass example, our hand-written
  // report with unknown elements; for XML inputs, also when their JSON twin is not) cannot
  // come out valid: we keep what we did not add.
  const toSend = requests().filter(([label, , contentType, body, twin]) => {
    const reason = invalidity(body, contentType) ?? (twin ? invalidity(twin, 'application/fhir+json') : null);
    if (reason !== null) console.log(`input not valid R4 itself, left out: ${label}`);
    return reason === null;
  });
  let accepted = 0;
  for (const [label, urlPath, contentType, body] of toSend) {
    const response = await fetch(`http://127.0.0.1:${port}${urlPath}`, {
      method: 'POST',
      headers: { 'Content-Type': contentType, Accept: 'application/fhir+json' },
      body,
    });
    if (response.status !== 200 && response.status !== 201) fail(`${label}: explainerd answered ${response.status}: ${await response.text()}`);
    accepted++;
  }
  check(accepted === toSend.length && accepted >= 28, `explainerd accepted all ${accepted} reports and bundles`);

  await waitFor(() => received.length >= 2 * accepted, `${2 * accepted} deliveries downstream`, 60000);
  const invalid = received.filter((r) => r.reason !== null);
  for (const r of invalid) console.log(`INVALID ${r.method} ${r.url} (${r.contentType}): ${r.reason}`);
  check(invalid.length === 0, `every one of ${received.length} deliveries is valid FHIR R4`);
  const json = received.filter((r) => r.url.startsWith('/json'));
  const xml = received.filter((r) => r.url.startsWith('/xml'));
  check(json.every((r) => /json/.test(r.contentType)) && xml.every((r) => /xml/.test(r.contentType)), 'each destination got its configured format');
  check(json.length === accepted && xml.length === accepted, 'each destination got every report once');
  const enrichedJson = json.filter((r) => r.body.includes('explainer-education-document')).length;
  const enrichedXml = xml.filter((r) => r.body.includes('explainer-education-document')).length;
  check(enrichedJson >= 3 && enrichedXml >= 3, `enriched deliveries carry our DocumentReferences (json ${enrichedJson}, xml ${enrichedXml})`);
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

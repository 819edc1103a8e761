#!/usr/bin/env node
// Validates FHIR R4 JSON files against the official fhir.schema.json (draft-06) with ajv.
//   node validate-json.js SCHEMA(.json|.json.gz) FILE...
// Prints one line per invalid file with the first errors; exit 1 when any file is invalid.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const [schemaPath, ...files] = process.argv.slice(2);
if (!schemaPath || files.length === 0) {
  console.error('usage: validate-json.js SCHEMA FILE...');
  process.exit(2);
}
let schemaBytes = fs.readFileSync(schemaPath);
if (schemaPath.endsWith('.gz')) schemaBytes = zlib.gunzipSync(schemaBytes);
const schema = JSON.parse(schemaBytes.toString('utf8'));
// The FHIR schema names itself with the draft-04 style "id"; draft-06 (and ajv) want "$id".
if (schema.id && !schema.$id) {
  schema.$id = schema.id;
  delete schema.id;
}

const ajv = new Ajv({ strict: false, allErrors: false });
ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-06.json'));
addFormats(ajv);
const validate = ajv.compile(schema);

let invalid = 0;
for (const file of files) {
  let data;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.log(`INVALID ${path.basename(file)}: not JSON: ${e.message}`);
    invalid++;
    continue;
  }
  if (!validate(data)) {
    invalid++;
    const errors = (validate.errors || []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
    console.log(`INVALID ${file}: ${errors.join('; ')}`);
  }
}
console.log(`json schema: ${files.length - invalid} valid, ${invalid} invalid`);
process.exit(invalid === 0 ? 0 : 1);

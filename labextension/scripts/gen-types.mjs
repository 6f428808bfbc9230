/**
 * Write src/api.generated.ts, the REST API's TypeScript types, from the server's OpenAPI document
 * (../tito_jupyter/server/openapi.json), so the sidebar's types are the document's and never a hand copy.
 *
 *   npm run gen:types            write it again (after the document changed)
 *   npm run gen:types -- --check  exit 1 if the committed file differs from what the document gives (jest runs this)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import openapiTS, { astToString } from 'openapi-typescript';

const here = dirname(fileURLToPath(import.meta.url));
const DOCUMENT = join(here, '..', '..', 'tito_jupyter', 'server', 'openapi.json');
const TARGET = join(here, '..', 'src', 'api.generated.ts');

const HEADER =
  '/**\n' +
  ' * The REST API as TypeScript types, generated from tito_jupyter/server/openapi.json by openapi-typescript.\n' +
  ' * Do not edit: run `npm run gen:types` in labextension/ after the document changes (jest fails while stale).\n' +
  ' */\n\n';

async function generate() {
  const document = JSON.parse(readFileSync(DOCUMENT, 'utf-8'));
  // An object schema without properties (a result's `data`, a job's `args`) holds anything: `unknown` values,
  // not openapi-typescript's default of an object that must stay empty.
  const ast = await openapiTS(document, { emptyObjectsUnknown: true });
  return HEADER + astToString(ast);
}

const text = await generate();
const shown = relative(process.cwd(), TARGET);
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(TARGET, 'utf-8');
  } catch {
    // Missing reads as stale.
  }
  if (current !== text) {
    console.error(`${shown} is stale: openapi.json changed. Run \`npm run gen:types\` in labextension/ and commit it.`);
    process.exit(1);
  }
  console.log(`${shown} matches openapi.json`);
} else {
  writeFileSync(TARGET, text);
  console.log(`wrote ${shown} from ${relative(process.cwd(), DOCUMENT)}`);
}

// Writes rules.schema.json (the JSON Schema of spotlint.config.json) from the
// rule registry. Run through `npm run schemas`, which builds dist/ first; a
// unit test fails while the file on disk is stale.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildRulesSchema } from '../dist/config/rules-schema.js';

const target = new URL('../rules.schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(buildRulesSchema(), null, 2)}\n`);
console.log(`wrote ${fileURLToPath(target)}`);

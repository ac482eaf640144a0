import { readFileSync, writeFileSync } from 'node:fs';
import { registry } from '../jobs/index.js';
import { mappingTable } from '../src/alerts/mapping.js';
import { subcommands } from '../src/bin/harbor-pilot.js';
import { cliReference } from '../src/docs/cli-reference.js';
import { failureModeTable } from '../src/docs/failure-modes.js';
import { catalog, configJsonSchema, configReference, replaceSection } from '../src/docs/generate.js';
import { metricsReference } from '../src/docs/metrics-reference.js';

// Regenerates the README's configuration reference, catalog and alert mapping from the zod schema and the
// registries. `npm run docs`; test/unit/docs.test.ts fails when the README is stale.
const path = new URL('../README.md', import.meta.url);
let readme = readFileSync(path, 'utf8');
readme = replaceSection(readme, 'config', configReference());
readme = replaceSection(readme, 'catalog', catalog(registry));
readme = replaceSection(readme, 'metrics', metricsReference());
readme = replaceSection(readme, 'alert-mapping', mappingTable());
readme = replaceSection(readme, 'cli', cliReference(subcommands, registry));
readme = replaceSection(readme, 'failure-modes', failureModeTable());
writeFileSync(path, readme);
writeFileSync(new URL('../config.schema.json', import.meta.url), configJsonSchema());
process.stdout.write('README.md and config.schema.json regenerated\n');

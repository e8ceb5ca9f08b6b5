import { writeFile } from 'node:fs/promises';
import { composeSupergraph } from './supergraph.ts';

const result = await composeSupergraph();
if (!result.ok) {
  console.error('Composition failed:');
  for (const message of result.errors) console.error(`  - ${message}`);
  process.exit(1);
}
await writeFile(result.file, result.sdl);
console.log(`wrote ${result.file}`);

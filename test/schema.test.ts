import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SUBGRAPHS } from '../platform/subgraphs.ts';
import { generateResolverTypes, generatedFile } from '../scripts/codegen.ts';
import { composeSupergraph, SUPERGRAPH_FILE } from '../scripts/supergraph.ts';

describe('schema', () => {
  it('the committed supergraph is what the subgraph SDL files compose to (run `npm run compose`)', async () => {
    const result = await composeSupergraph();
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(await readFile(SUPERGRAPH_FILE, 'utf8')).toBe(result.ok ? result.sdl : '');
  });

  it.each(SUBGRAPHS)(
    'the generated resolver types of %s match its SDL (run `npm run codegen`)',
    async (name) => {
      expect(await readFile(generatedFile(name), 'utf8')).toBe(await generateResolverTypes(name));
    },
  );
});

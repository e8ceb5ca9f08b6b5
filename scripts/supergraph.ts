import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { DEFAULT_PORTS, SUBGRAPHS } from '../platform/subgraphs.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SUPERGRAPH_FILE = path.join(ROOT, 'schema', 'supergraph.graphql');

export function subgraphSchemaFile(name: string): string {
  return path.join(ROOT, 'schema', `${name}.graphql`);
}

export type Composition = { ok: true; sdl: string; file: string } | { ok: false; errors: string[] };

/** Composes the committed subgraph SDL files; URLs are the defaults, replaced at run time by the gateway. */
export async function composeSupergraph(): Promise<Composition> {
  const services = await Promise.all(
    SUBGRAPHS.map(async (name) => ({
      name,
      url: `http://localhost:${DEFAULT_PORTS[name]}/graphql`,
      typeDefs: parse(await readFile(subgraphSchemaFile(name), 'utf8')),
    })),
  );
  const result = composeServices(services);
  if (result.errors) return { ok: false, errors: result.errors.map((error) => error.message) };
  return { ok: true, sdl: result.supergraphSdl, file: SUPERGRAPH_FILE };
}

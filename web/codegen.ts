import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codegen } from '@graphql-codegen/core';
import { preset } from '@graphql-codegen/client-preset';
import { Supergraph } from '@apollo/federation-internals';
import { parse, printSchema } from 'graphql';

/**
 * Types for the web app's operations (web/src/operations/*.graphql) from the API schema of the committed
 * supergraph, with GraphQL Code Generator's client preset: a schema change that breaks a page breaks
 * `npm run typecheck`, and an operation the schema does not allow fails here.
 */
const WEB = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(WEB, 'src', 'generated') + path.sep;

const supergraphSdl = await readFile(path.join(WEB, '..', 'schema', 'supergraph.graphql'), 'utf8');
const schemaAst = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
const schema = parse(printSchema(schemaAst));
const operationsDir = path.join(WEB, 'src', 'operations');
const documents = await Promise.all(
  (await readdir(operationsDir))
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map(async (file) => {
      const rawSDL = await readFile(path.join(operationsDir, file), 'utf8');
      return { location: path.join('src', 'operations', file), rawSDL, document: parse(rawSDL) };
    }),
);

const config = {
  useTypeImports: true,
  enumsAsTypes: true,
  avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
  scalars: { ID: 'string' },
};
const outputs = await preset.buildGeneratesSection({
  baseOutputDir: OUT,
  schema,
  schemaAst,
  documents,
  config,
  presetConfig: { fragmentMasking: false },
  plugins: [],
  pluginMap: {},
});
await mkdir(OUT, { recursive: true });
for (const output of outputs) {
  const content = await codegen({ ...output, config: { ...config, ...output.config } });
  await writeFile(output.filename, content);
  console.log(`wrote ${path.relative(path.join(WEB, '..'), output.filename)}`);
}

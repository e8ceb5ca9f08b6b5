import { loadConfig } from '../platform/config.ts';
import { DEFAULT_PORTS, SUBGRAPHS, type SubgraphName } from '../platform/subgraphs.ts';
import { startGateway } from '../gateway/gateway.ts';

/** `npm run start:gateway`: the gateway alone, in front of subgraphs started elsewhere. */
const config = await loadConfig();
const subgraphUrls = Object.fromEntries(
  SUBGRAPHS.map((name) => [
    name,
    process.env[`${name.toUpperCase()}_URL`] ?? `http://${config.host}:${DEFAULT_PORTS[name]}/graphql`,
  ]),
) as Record<SubgraphName, string>;
const gateway = await startGateway({
  subgraphUrls,
  jwt: config.jwt,
  internalSecret: config.internalSecret,
  port: config.gatewayPort,
  host: config.host,
});
console.log(`gateway at ${gateway.url}`);
for (const [name, url] of Object.entries(subgraphUrls)) console.log(`  ${name.padEnd(10)} ${url}`);
const stop = async () => {
  await gateway.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

import { loadConfig, subgraphUrlsFromEnvironment } from '../platform/config.ts';
import { startGateway } from '../gateway/gateway.ts';

/** `npm run start:gateway`: the gateway alone, in front of subgraphs started elsewhere. */
const config = await loadConfig();
const subgraphUrls = subgraphUrlsFromEnvironment(config.host);
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

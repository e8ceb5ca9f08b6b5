import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { badInput } from '../../../platform/errors.ts';
import type { ExchangeSettings } from '../settings.ts';

/**
 * Where a webhook may go. A partner chooses its endpoint, so an address inside our network (loopback,
 * private ranges, link-local cloud metadata) would let it make us call our own services: such targets are
 * refused unless the deployment allows them (development and test do), when the endpoint is set and again
 * at every connection, on the address actually connected to (so a DNS answer that changes cannot slip in).
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv6');

export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INTERNAL.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const MAX_URL_LENGTH = 2048;

/** Checks an endpoint URL as a partner or staff set it; throws BAD_USER_INPUT naming what is wrong. */
export async function validateEndpoint(text: string, settings: ExchangeSettings): Promise<string> {
  const field = 'endpointUrl';
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw badInput(`endpointUrl is not a URL: "${text}"`, { field });
  }
  if (text.length > MAX_URL_LENGTH) throw badInput(`endpointUrl is longer than ${MAX_URL_LENGTH}`, { field });
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && settings.allowHttp)) {
    throw badInput(`endpointUrl must use https${settings.allowHttp ? ' or http' : ''}, not ${url.protocol}`, {
      field,
    });
  }
  if (url.username || url.password) throw badInput('endpointUrl must not carry credentials', { field });
  if (!settings.allowPrivateTargets) {
    const addresses = await resolve(url.hostname);
    if (addresses.length === 0)
      throw badInput(`endpointUrl host ${url.hostname} does not resolve`, { field });
    const internal = addresses.find(isInternalAddress);
    if (internal) {
      throw badInput(`endpointUrl resolves to a private or loopback address (${internal}); not allowed`, {
        field,
      });
    }
  }
  return url.toString();
}

async function resolve(hostname: string): Promise<string[]> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return [bare];
  return new Promise((done) =>
    dnsLookup(bare, { all: true }, (error, addresses: LookupAddress[]) =>
      done(error ? [] : addresses.map((entry) => entry.address)),
    ),
  );
}

/** A `lookup` for http(s).request that refuses internal addresses unless allowed: the check is on the socket. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, []);
      const usable = allowPrivate
        ? addresses
        : addresses.filter((entry) => !isInternalAddress(entry.address));
      if (usable.length === 0) {
        const refused: NodeJS.ErrnoException = new Error(
          `${hostname} resolves only to private or loopback addresses`,
        );
        refused.code = 'EADDRNOTALLOWED';
        return callback(refused, []);
      }
      if (options.all) return callback(null, usable);
      return callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}

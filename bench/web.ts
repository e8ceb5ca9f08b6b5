import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page, Route } from 'playwright-core';
import { WEB_DIST, webApp } from '../gateway/static.ts';
import { ensureWebBuild } from '../web/build.ts';
import { launchChromium } from '../test/support/browser.ts';

/**
 * `npm run bench:web`: the network explorer in headless Chromium (Debian's, WebGL through SwiftShader).
 * The production build is served as the gateway serves it; GraphQL answers are synthetic networks of 200
 * and 2,000 companies, so the figures are the browser's own: time to first render of the graph, time until
 * the page answers input again, frames per second while panning, and the gzipped JavaScript.
 */
const RISKS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

function company(index: number) {
  return {
    __typename: 'Partner',
    id: `c${index}`,
    name: `Company ${index}`,
    country: ['DE', 'ES', 'CN', 'TW', 'PT'][index % 5],
    tier: null,
    risk: { __typename: 'RiskAssessment', level: RISKS[index % 4], score: index % 100 },
  };
}

/** Half the companies upstream, half downstream, in four tiers; each linked to one of the tier before. */
function network(companies: number) {
  const focus = company(0);
  const links = { up: [] as unknown[], down: [] as unknown[] };
  let next = 1;
  for (const direction of ['up', 'down'] as const) {
    let previous = [0];
    const perTier = Math.floor((companies - 1) / 2 / 4);
    for (let tier = 1; tier <= 4; tier += 1) {
      const current: number[] = [];
      for (let i = 0; i < perTier && next < companies; i += 1) {
        const id = next++;
        const partner = previous[i % previous.length]!;
        const link = {
          __typename: 'SupplyLink',
          tier,
          share: ((id % 9) + 1) / 10,
          supplier: direction === 'up' ? company(id) : company(partner),
          customer: direction === 'up' ? company(partner) : company(id),
          items: [{ __typename: 'Item', sku: `SKU-${id % 50}` }],
        };
        links[direction].push(link);
        current.push(id);
      }
      previous = current;
    }
  }
  return { focus, links };
}

function page(nodes: unknown[], after: unknown, first: unknown) {
  const start = typeof after === 'string' ? Number(after) : 0;
  const slice = nodes.slice(start, start + (typeof first === 'number' ? Math.min(first, 500) : 50));
  const end = start + slice.length;
  return {
    __typename: 'SupplyLinkConnection',
    nodes: slice,
    pageInfo: { __typename: 'PageInfo', endCursor: String(end), hasNextPage: end < nodes.length },
  };
}

async function answer(route: Route, data: ReturnType<typeof network>) {
  const body = route.request().postDataJSON() as {
    operationName?: string;
    variables?: Record<string, unknown>;
  };
  const variables = body.variables ?? {};
  const result: Record<string, unknown> =
    body.operationName === 'Self'
      ? { self: { __typename: 'Partner', id: data.focus.id, name: data.focus.name } }
      : body.operationName === 'Network'
        ? {
            upstream: page(data.links.up, variables.upAfter, variables.first),
            downstream: page(data.links.down, variables.downAfter, variables.first),
          }
        : body.operationName === 'Risks'
          ? {
              singleSourceRisks: [],
              concentration: {
                __typename: 'Concentration',
                directSuppliers: 0,
                upstreamCompanies: 0,
                entries: [],
              },
              disruptions: [],
            }
          : {};
  await route.fulfill({ contentType: 'application/json', body: JSON.stringify({ data: result }) });
}

async function measure(browserPage: Page, base: string, companies: number) {
  const data = network(companies);
  browserPage.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  browserPage.on('crash', () => console.error('page crashed'));
  await browserPage.route('**/graphql', (route) => answer(route, data));
  await browserPage.routeWebSocket('**/graphql', (ws) => {
    ws.onMessage((message) => {
      if (typeof message === 'string' && message.includes('connection_init'))
        ws.send('{"type":"connection_ack"}');
    });
  });
  // A token the app decodes for its pages; the synthetic API never checks it.
  const payload = Buffer.from(JSON.stringify({ sub: 'bench', roles: ['analyst'], exp: 4102444800 })).toString(
    'base64url',
  );
  await browserPage.addInitScript(`sessionStorage.setItem('supply-network.token', 'x.${payload}.x')`);
  await browserPage.goto(new URL('/explorer', base).toString());
  const firstRender = await browserPage.evaluate<number>(`new Promise((resolve) => {
    const check = () => {
      const mark = performance.getEntriesByName('explorer:graph-rendered')[0];
      if (mark) resolve(mark.startTime); else setTimeout(check, 5);
    };
    check();
  })`);
  // Interactive: the first frame after the graph's first render that the main thread had time to paint.
  const interactive = await browserPage.evaluate<number>(
    `new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)))`,
  );
  const drawn = await browserPage
    .getByRole('img', { name: /Supply network graph/ })
    .getAttribute('data-companies');

  const box = (await browserPage.locator('.graph').boundingBox())!;
  await browserPage.evaluate(
    `window.__frames = 0; (function count() { window.__frames += 1; requestAnimationFrame(count); })()`,
  );
  const startedAt = Date.now();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await browserPage.mouse.move(cx, cy);
  await browserPage.mouse.down();
  for (let step = 0; step < 40; step += 1) {
    const angle = (step / 40) * Math.PI * 2;
    await browserPage.mouse.move(cx + Math.cos(angle) * 200, cy + Math.sin(angle) * 120, { steps: 1 });
  }
  await browserPage.mouse.up();
  const frames = await browserPage.evaluate<number>('window.__frames');
  const fps = frames / ((Date.now() - startedAt) / 1000);
  return { companies, drawn: Number(drawn), firstRender, interactive, fps };
}

await ensureWebBuild();
const handler = webApp();
const server = http.createServer((request, response) => void handler(request, response));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const browser = await launchChromium();
try {
  const results = [];
  for (const companies of [200, 2000]) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    results.push(await measure(await context.newPage(), base, companies));
    await context.close();
  }
  // All the JavaScript, and what every page downloads before it runs: the scripts index.html loads
  // and preloads (the explorer's chunk, with the graph libraries, only when the explorer opens).
  const assets = path.join(WEB_DIST, 'assets');
  const index = await readFile(path.join(WEB_DIST, 'index.html'), 'utf8');
  const initialFiles = new Set(
    [...index.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((found) => found[1]!),
  );
  let raw = 0;
  let gzipped = 0;
  let initialRaw = 0;
  let initialGzipped = 0;
  for (const file of (await readdir(assets)).filter((name) => name.endsWith('.js'))) {
    const bytes = await readFile(path.join(assets, file));
    const packed = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gzipped += packed;
    if (initialFiles.has(file)) {
      initialRaw += bytes.length;
      initialGzipped += packed;
    }
  }
  console.log('companies  drawn  first render  interactive  fps while panning');
  for (const result of results)
    console.log(
      `${String(result.companies).padStart(9)}  ${String(result.drawn).padStart(5)}  ${result.firstRender.toFixed(0).padStart(9)} ms  ${result.interactive.toFixed(0).padStart(8)} ms  ${result.companies === 2000 ? result.fps.toFixed(1) : '—'}`,
    );
  console.log(`JavaScript: ${(raw / 1024).toFixed(0)} KiB, ${(gzipped / 1024).toFixed(0)} KiB gzipped`);
  console.log(
    `initial JavaScript (every page): ${(initialRaw / 1024).toFixed(0)} KiB, ${(initialGzipped / 1024).toFixed(0)} KiB gzipped`,
  );
} finally {
  await browser.close();
  server.close();
}

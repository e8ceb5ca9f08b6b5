import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { ensureWebBuild } from '../web/build.ts';
import { devSignIn } from '../gateway/static.ts';
import { launchChromium, seriousAccessibilityViolations, signIn } from './support/browser.ts';
import { newItem } from './support/inventory.ts';
import { caller } from './support/orders.ts';
import { bootStack, type TestStack } from './support/stack.ts';

/**
 * The web app in a real browser (Debian's Chromium) against the real stack: the gateway serves the
 * production build and every page works through the public GraphQL API, live parts over graphql-ws.
 */
let stack: TestStack;
let browser: Browser;
let base: string;
let admin: Record<string, string>;
const contexts: BrowserContext[] = [];

async function partnerId(name: string): Promise<string> {
  const { body } = await stack.request<{ partners: { nodes: { id: string; name: string }[] } }>(
    'query ($search: String) { partners(search: $search) { nodes { id name } } }',
    { search: name },
    admin,
  );
  const found = body.data?.partners.nodes.find((partner) => partner.name === name);
  if (!found) throw new Error(`no partner ${name}`);
  return found.id;
}

async function ordersOf(partner: string, kind: 'PURCHASE' | 'SALES') {
  const { body } = await stack.request<{
    orders: { nodes: { id: string; number: string; status: string }[] };
  }>(
    'query ($filter: OrderFilter) { orders(filter: $filter, first: 100) { nodes { id number status } } }',
    { filter: { kind, partnerId: partner } },
    admin,
  );
  return body.data!.orders.nodes;
}

/** The operation a request from the page posts to /graphql, if it is one. */
function graphqlBody(
  request: Request,
): { operationName?: string; variables?: Record<string, unknown> } | undefined {
  if (request.method() !== 'POST' || !request.url().endsWith('/graphql')) return undefined;
  const body: unknown = request.postDataJSON();
  return typeof body === 'object' && body !== null ? body : undefined;
}

async function newPage(options: { bypassCSP?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({
    locale: 'en-GB',
    viewport: { width: 1400, height: 900 },
    ...options,
  });
  contexts.push(context);
  const page = await context.newPage();
  // What the app threw, in the test's output: the first thing to read when a browser test fails.
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`console: ${message.text()}`);
  });
  return page;
}

beforeAll(async () => {
  await ensureWebBuild();
  [stack, browser] = await Promise.all([bootStack(), launchChromium()]);
  base = stack.gateway.url.replace(/graphql$/, '');
  admin = await stack.as(['admin']);
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await stack?.close();
});

describe('the gateway serves the web app', () => {
  it('serves index.html revalidated, hashed assets immutable, pages of the app as index.html, GraphQL at /graphql', async () => {
    const index = await fetch(base);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(new URL(asset!, base));
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('content-type')).toContain('javascript');

    const deepLink = await fetch(new URL('/supplier/orders/123', base));
    expect([deepLink.status, deepLink.headers.get('cache-control')]).toEqual([200, 'no-cache']);
    expect((await fetch(new URL('/assets/missing.js', base))).status).toBe(404);
    expect((await fetch(new URL('/%2e%2e/package.json', base))).status).toBe(404);

    const graphql = await stack.request<{ self: { name: string } }>('{ self { name } }', {}, admin);
    expect(graphql.body.data?.self.name).toBe('Cordillera Cycles S.L.');
  });

  it('mints development tokens for JSON posts only, and never once production secrets are configured', async () => {
    const form = await fetch(new URL('/auth/dev', base), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'role=admin',
    });
    expect(form.status).toBe(415);
    const unknownPartner = await fetch(new URL('/auth/dev', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'partner', partnerId: '00000000-0000-0000-0000-000000000000' }),
    });
    expect(unknownPartner.status).toBe(400);
    const minted = await fetch(new URL('/auth/dev', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'finance' }),
    });
    const { token } = (await minted.json()) as { token: string };
    const asFinance = await stack.request<{ invoices: { nodes: unknown[] } }>(
      '{ invoices(first: 1) { nodes { id } } }',
      {},
      { authorization: `Bearer ${token}` },
    );
    expect(asFinance.body.errors).toBeUndefined();

    // The same handler with an identity provider configured refuses everything.
    const production = devSignIn({
      enabled: true,
      jwt: {
        secret: undefined,
        jwksUrl: 'https://idp.example/jwks.json',
        issuer: undefined,
        audience: undefined,
      },
      partnersUrl: stack.subgraphs.partners.url,
      internalSecret: 'unused',
    });
    const server = http.createServer((request, response) => void production(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/dev`;
      const refused = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'admin' }),
      });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { token?: string }).token).toBeUndefined();
      expect((await fetch(url)).status).toBe(403);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('portals and desks in the browser', () => {
  it("a supplier confirms a purchase order in its portal and the buyer's desk shows it confirmed without reloading", async () => {
    const norte = await partnerId('Norte Drivetrain GmbH');
    const po = (await ordersOf(norte, 'PURCHASE')).find((order) => order.status === 'SUBMITTED')!;
    expect(po).toBeDefined();

    const buyer = await newPage();
    await signIn(buyer, base, 'buyer');
    const row = buyer
      .getByRole('table', { name: 'Purchase orders' })
      .locator(`tr[data-order="${po.number}"]`);
    await expect.poll(() => row.textContent()).toContain('Submitted');
    // The desk is subscribed before the supplier acts.
    await buyer.getByText('Nothing new since you opened this page').waitFor();

    const supplier = await newPage();
    await signIn(supplier, base, 'partner', 'Norte Drivetrain GmbH');
    await supplier
      .getByRole('table', { name: 'Purchase orders waiting for your confirmation' })
      .getByRole('link', { name: po.number })
      .click();
    await supplier.getByLabel('Confirmed quantity, line 1').fill('140');
    await supplier.getByLabel('Your order number').fill('ND-4471');
    await supplier.getByRole('button', { name: 'Confirm order' }).click();
    await expect.poll(() => supplier.getByTestId('order-status').textContent()).toBe('Partially confirmed');

    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('Partially confirmed');
    expect(await buyer.evaluate<number>("performance.getEntriesByType('navigation').length")).toBe(1);
    const [after] = (await ordersOf(norte, 'PURCHASE')).filter((order) => order.id === po.id);
    expect(after?.status).toBe('PARTIALLY_CONFIRMED');
  });

  it('a supplier ships with a lot and serial numbers in its portal, and the buying desk sees them', async () => {
    const norte = await partnerId('Norte Drivetrain GmbH');
    const supplierApi = await stack.as(['partner'], norte);
    const { body } = await stack.request<{ createPurchaseOrder: { id: string } }>(
      `mutation ($input: CreatePurchaseOrderInput!) { createPurchaseOrder(input: $input) { id } }`,
      {
        input: {
          supplierId: norte,
          currency: 'EUR',
          lines: [{ sku: 'DRIVE-12S', quantity: '2', unitPrice: { amount: '300.00', currency: 'EUR' } }],
        },
      },
      await stack.as(['buyer']),
    );
    const id = body.data!.createPurchaseOrder.id;
    await stack.request(
      'mutation ($id: ID!) { submitOrder(id: $id) { id } }',
      { id },
      await stack.as(['buyer']),
    );
    await stack.request('mutation ($id: ID!) { confirmOrder(id: $id) { id } }', { id }, supplierApi);

    const supplier = await newPage();
    await signIn(supplier, base, 'partner', 'Norte Drivetrain GmbH');
    await supplier.goto(new URL(`/supplier/orders/${id}`, base).toString());
    await supplier.getByLabel('Quantity shipped now, line 1').fill('2');
    await supplier.getByLabel('Lot number, line 1').fill('ND-LOT-7');
    await supplier.getByLabel('Serial numbers, line 1').fill('ND-S1, ND-S2');
    await supplier.getByRole('button', { name: 'Send ship notice' }).click();
    await expect.poll(() => supplier.getByTestId('order-status').textContent()).toBe('Shipped');

    const buyer = await newPage();
    await signIn(buyer, base, 'buyer');
    await buyer.goto(new URL(`/desk/orders/${id}`, base).toString());
    const notices = buyer.getByRole('table', { name: /^Ship notices of / });
    await expect.poll(() => notices.textContent()).toContain('Lot: ND-LOT-7 × 2 EA');
    expect(await notices.textContent()).toContain('Serial numbers: ND-S1, ND-S2');
  });

  it('a customer places an order with a double click, gets exactly one order, and sees it confirmed', async () => {
    const velomarkt = await partnerId('VeloMarkt Handels GmbH');
    const before = await ordersOf(velomarkt, 'SALES');
    const customer = await newPage();
    await signIn(customer, base, 'partner', 'VeloMarkt Handels GmbH');
    expect(new URL(customer.url()).pathname).toBe('/customer');
    await customer.getByLabel('Search the catalog').fill('trail');
    await customer.getByRole('button', { name: 'Add Trail bike 29" to the order' }).click();
    await customer.getByLabel('Quantity of Trail bike 29"').fill('3');
    await customer.getByRole('button', { name: 'Place order' }).dblclick();
    await customer.waitForURL(/\/customer\/orders\//);
    await expect.poll(() => customer.getByTestId('order-status').textContent()).toBe('Submitted');

    const placed = (await ordersOf(velomarkt, 'SALES')).filter(
      (order) => !before.some((o) => o.id === order.id),
    );
    expect(placed).toHaveLength(1);
    const sales = await stack.as(['sales']);
    const confirmed = await stack.request(
      'mutation ($id: ID!) { confirmOrder(id: $id) { status } }',
      { id: placed[0]!.id },
      sales,
    );
    expect(confirmed.body.errors).toBeUndefined();
    await expect
      .poll(() => customer.getByTestId('order-status').textContent(), { timeout: 15_000 })
      .toBe('Confirmed');
  });

  it('finance reviews the three-way match of a disputed invoice and approves it with a justification', async () => {
    const finance = await stack.as(['finance']);
    const { body } = await stack.request<{ invoices: { nodes: { id: string; number: string }[] } }>(
      '{ invoices(kind: PAYABLE) { nodes { id number } } }',
      {},
      finance,
    );
    const invoice = body.data!.invoices.nodes.find((node) => node.number === 'KW-2026-0917')!;
    const disputed = await stack.request(
      'mutation ($id: ID!) { disputeInvoice(id: $id, reason: "tyres damaged in transit") { status } }',
      { id: invoice.id },
      finance,
    );
    expect(disputed.body.errors).toBeUndefined();

    const page = await newPage();
    await signIn(page, base, 'finance');
    await page
      .getByRole('table', { name: 'Disputed invoices' })
      .getByRole('link', { name: 'KW-2026-0917' })
      .click();
    const match = page.getByRole('table', { name: 'Match per line' });
    await expect.poll(() => match.locator('tbody tr').count()).toBe(2);
    expect(await match.textContent()).toContain('WHEEL-29');
    await page.getByRole('button', { name: 'Approve for payment' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Give a justification');
    await page.getByLabel('Justification or reason').fill('tyres replaced by the supplier');
    await page.getByRole('button', { name: 'Approve for payment' }).click();
    await expect.poll(() => page.getByTestId('invoice-status').textContent()).toBe('Approved');
  });

  it('the explorer runs "what if" on the tier-3 mill and highlights the customers it would reach', async () => {
    const page = await newPage();
    await signIn(page, base, 'analyst');
    const graph = page.getByRole('img', { name: /Supply network graph/ });
    await expect.poll(() => graph.getAttribute('data-companies')).toBe('15');
    await page.getByLabel('Find a company').fill('Baotou');
    await page.getByRole('button', { name: 'Focus Baotou Special Steel Mill (CN)' }).click();
    await expect.poll(() => page.getByTestId('focus').textContent()).toBe('Baotou Special Steel Mill');
    // Six tiers: from the mill down to the retailers who buy from the company's customers.
    await page.getByLabel('Tiers shown').selectOption('6');
    await expect.poll(() => graph.getAttribute('data-companies')).toBe('10');
    await page.getByRole('button', { name: 'What if Baotou Special Steel Mill stops?' }).click();
    const affected = page.getByRole('table', { name: 'Affected companies' });
    await affected.waitFor();
    const text = await affected.textContent();
    for (const company of [
      'Taiyuan Precision Gears Co.',
      'Norte Drivetrain GmbH',
      'Cordillera Cycles S.L.',
      'VeloMarkt Handels GmbH',
      'Ciclos Atlántico S.A.',
      'Bicis Galicia S.L.',
    ])
      expect(text).toContain(company);
    expect(text).not.toContain('Kaohsiung');
    await expect
      .poll(async () => Number(await graph.getAttribute('data-highlighted')))
      .toBeGreaterThanOrEqual(6);
  });

  it('the explorer expands a tier from a chosen company, from the keyboard, reading only that tier', async () => {
    const norte = await partnerId('Norte Drivetrain GmbH');
    // What the graph must hold: one tier around the company, and one tier around Norte.
    const around = async (of: string | null) => {
      const { body } = await stack.request<{
        upstream: { nodes: { supplier: { id: string } }[] };
        downstream: { nodes: { customer: { id: string } }[] };
      }>(
        `query ($of: ID) { upstream(of: $of, depth: 1, first: 500) { nodes { supplier { id } } }
           downstream(of: $of, depth: 1, first: 500) { nodes { customer { id } } } }`,
        { of },
        admin,
      );
      return [
        ...body.data!.upstream.nodes.map((link) => link.supplier.id),
        ...body.data!.downstream.nodes.map((link) => link.customer.id),
      ];
    };
    const self = await partnerId('Cordillera Cycles S.L.');
    const base1 = new Set([self, ...(await around(null))]);
    const expanded = new Set([...base1, ...(await around(norte))]);
    expect(base1.has(norte)).toBe(true);
    expect(expanded.size).toBeGreaterThan(base1.size);

    const page = await newPage();
    await signIn(page, base, 'analyst');
    const graph = page.getByRole('img', { name: /Supply network graph/ });
    await page.getByLabel('Tiers shown').selectOption('1');
    // The company itself, and one tier on each side.
    await expect
      .poll(() => graph.getAttribute('data-companies'), { timeout: 15_000 })
      .toBe(String(base1.size));
    const networkReads: Record<string, unknown>[] = [];
    page.on('request', (request) => {
      const body = graphqlBody(request);
      if (body?.operationName === 'Network') networkReads.push(body.variables ?? {});
    });
    const company = page.getByLabel('Company in the graph');
    await company.focus();
    await company.selectOption({ label: 'Norte Drivetrain GmbH' });
    const expand = page.getByRole('button', { name: 'Expand a tier from Norte Drivetrain GmbH' });
    await expand.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => graph.getAttribute('data-companies'), { timeout: 15_000 })
      .toBe(String(expanded.size));
    await expect
      .poll(() => page.getByRole('group', { name: 'Chosen company' }).getByRole('status').textContent())
      .toMatch(new RegExp(`Norte Drivetrain GmbH: ${expanded.size - base1.size} compan(y|ies) and`));
    // Only Norte's tier was read; the network already drawn was not read again.
    expect(networkReads.length).toBeGreaterThan(0);
    for (const variables of networkReads) expect(variables).toMatchObject({ of: norte, depth: 1 });
  });

  it('the customer portal searches the whole catalog through the API, beyond the page in view', async () => {
    const admins = caller(stack, admin);
    // More items than a page holds, the one searched for sorting last, so it is not on the first page.
    for (let index = 1; index <= 21; index += 1)
      await newItem(admins, `AA-FILL-${String(index).padStart(2, '0')}`, { price: '1.00' });
    await newItem(admins, 'ZZ-HIDDEN-1', { price: '2.00' });
    const customer = await newPage();
    const searches: unknown[] = [];
    customer.on('request', (request) => {
      const body = graphqlBody(request);
      if (body?.operationName === 'Catalog') searches.push(body.variables?.search ?? null);
    });
    await signIn(customer, base, 'partner', 'VeloMarkt Handels GmbH');
    const catalog = customer.getByRole('table', { name: 'Catalog' });
    await expect.poll(() => catalog.locator('tbody tr').count()).toBe(20);
    expect(await catalog.textContent()).not.toContain('ZZ-HIDDEN-1');
    await customer.getByLabel('Search the catalog').fill('zz-hidden');
    await expect.poll(() => catalog.locator('tbody tr').count()).toBe(1);
    expect(await catalog.textContent()).toContain('ZZ-HIDDEN-1');
    expect(searches).toContain('zz-hidden');
    await customer.getByLabel('Search the catalog').fill('nothing like it');
    await expect.poll(() => customer.getByText('No item matches “nothing like it”.').count()).toBe(1);
  });

  it("a partner who edits the address to another partner's order gets a clear not found", async () => {
    const kaohsiung = await partnerId('Kaohsiung Wheel Co., Ltd.');
    const [theirs] = await ordersOf(kaohsiung, 'PURCHASE');
    const page = await newPage();
    await signIn(page, base, 'partner', 'Norte Drivetrain GmbH');
    await page.goto(new URL(`/supplier/orders/${theirs!.id}`, base).toString());
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Order not found');
    expect(await page.textContent('main')).not.toContain(theirs!.number);
  });

  it('the main pages have no serious or critical accessibility violations', async () => {
    const pages: [string, string | undefined, string][] = [
      ['partner', 'Norte Drivetrain GmbH', 'Supplier portal'],
      ['partner', 'Ciclos Atlántico S.A.', 'Customer portal'],
      ['admin', undefined, 'Buying and finance desk'],
      ['analyst', undefined, 'Network explorer'],
    ];
    for (const [role, partner, heading] of pages) {
      const page = await newPage({ bypassCSP: true });
      await signIn(page, base, role, partner);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      expect({ page: heading, violations: await seriousAccessibilityViolations(page) }).toEqual({
        page: heading,
        violations: [],
      });
    }
  });
});

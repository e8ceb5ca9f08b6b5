import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startStack, openNeo4jDriver } from '../app/stack.ts';
import { PROJECT_ROOT } from '../platform/config.ts';
import { neo4jFromEnvironment, useNeo4j } from '../platform/neo4j/connect.ts';
import { clearNetwork } from '../subgraphs/network/store.ts';
import { ensureWebBuild } from '../web/build.ts';
import { launchChromium, signIn } from '../test/support/browser.ts';

/**
 * `npm run screenshots`: the demo network on a throwaway stack (PGlite in memory, the embedded Neo4j or
 * NEO4J_URI), each main page in Debian's Chromium, saved to docs/screenshots/.
 */
const OUT = path.join(PROJECT_ROOT, 'docs', 'screenshots');
await ensureWebBuild();
const neo4j = await useNeo4j(neo4jFromEnvironment(), path.join(PROJECT_ROOT, '.data', 'screenshots-neo4j'));
const driver = await openNeo4jDriver(neo4j.connection);
await clearNetwork(driver).finally(() => driver.close());
const stack = await startStack({
  neo4j: neo4j.connection,
  jwt: {
    secret: randomBytes(32).toString('base64url'),
    jwksUrl: undefined,
    issuer: undefined,
    audience: undefined,
  },
  internalSecret: randomBytes(32).toString('base64url'),
  gatewayPort: 0,
  seedDemo: true,
  devSignIn: true,
});
const browser = await launchChromium();
const base = stack.gateway.url.replace(/graphql$/, '');

async function shot(
  name: string,
  role: string,
  partner: string | undefined,
  then?: (page: Page) => Promise<void>,
) {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  await signIn(page, base, role, partner);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await then?.(page);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(500);
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  console.log(`wrote ${path.relative(PROJECT_ROOT, file)}`);
  await context.close();
}

try {
  await mkdir(OUT, { recursive: true });
  await shot('explorer', 'analyst', undefined, async (page) => {
    await page.getByRole('img', { name: /Supply network graph/ }).waitFor();
    await page.getByLabel('Find a company').fill('Baotou');
    await page.getByRole('button', { name: /^Focus Baotou/ }).click();
    await page.getByLabel('Tiers shown').selectOption('6');
    await page.getByRole('button', { name: /^What if Baotou/ }).click();
    await page.getByRole('table', { name: 'Affected companies' }).waitFor();
  });
  await shot('supplier-portal', 'partner', 'Norte Drivetrain GmbH');
  await shot('supplier-confirm', 'partner', 'Norte Drivetrain GmbH', async (page) => {
    await page
      .getByRole('table', { name: 'Purchase orders waiting for your confirmation' })
      .getByRole('link')
      .first()
      .click();
    await page.getByRole('button', { name: 'Confirm order' }).waitFor();
  });
  await shot('customer-portal', 'partner', 'VeloMarkt Handels GmbH', async (page) => {
    await page.getByRole('table', { name: 'Catalog' }).waitFor();
  });
  await shot('desk', 'admin', undefined);
  await shot('invoice-match', 'finance', undefined, async (page) => {
    await page.getByRole('table', { name: 'Supplier invoices' }).getByRole('link').first().click();
    await page.getByRole('table', { name: 'Match per line' }).waitFor();
  });
} finally {
  await browser.close();
  await stack.stop();
  await neo4j.stop();
}

import type { Driver } from 'neo4j-driver';
import type { Database } from '../platform/db/database.ts';
import { withGs1CheckDigit } from '../platform/validation.ts';
import { setOnHand, upsertItem } from '../subgraphs/inventory/store.ts';
import { submitSupplierInvoice } from '../subgraphs/invoices/payables.ts';
import { issueInvoice } from '../subgraphs/invoices/receivables.ts';
import { invoiceSettingsFromEnvironment } from '../subgraphs/invoices/settings.ts';
import { appendDeclarations } from '../subgraphs/network/declarations.ts';
import type { Principal } from '../platform/auth/principal.ts';
import type { Queryable } from '../platform/db/database.ts';
import {
  confirmOrder,
  createPurchaseOrder,
  placeSalesOrder,
  receiveShipment,
  shipOrder,
  submitOrder,
  type OrderSettings,
} from '../subgraphs/orders/commands.ts';
import type { NewOrderLineInput } from '../subgraphs/orders/generated/resolvers.ts';
import { registerPartner } from '../subgraphs/partners/store.ts';
import type { PartnerRole } from '../subgraphs/partners/generated/resolvers.ts';

const ACTOR = 'system:demo-seed';
const COMPANY: Principal = { subject: ACTOR, roles: ['admin'] };
const actingFor = (partnerId: string): Principal => ({ subject: ACTOR, roles: ['partner'], partnerId });
const SETTINGS: OrderSettings = { defaultOverdeliveryTolerance: '0' };

interface DemoCompany {
  key: string;
  name: string;
  country: string;
  roles: PartnerRole[];
  duns: string;
  isSelf?: boolean;
  /** The VAT number its invoices carry (EN 16931 requires the seller's). */
  vat?: string;
  /** Known only because a partner disclosed it. */
  invited?: boolean;
}

/**
 * A bicycle maker and its value chain: three direct suppliers with their own suppliers down to a steel
 * mill and a bauxite mine, and two distributors who sell on to retailers. One aluminium mill sits behind
 * two direct suppliers: the hidden concentration the network makes visible.
 */
export const DEMO_COMPANIES: DemoCompany[] = [
  {
    key: 'self',
    name: 'Cordillera Cycles S.L.',
    country: 'ES',
    roles: [],
    duns: '460000001',
    vat: 'ESB12345674',
    isSelf: true,
  },
  {
    key: 'iberframe',
    name: 'Iberframe Componentes Lda.',
    country: 'PT',
    roles: ['SUPPLIER'],
    duns: '460000002',
  },
  { key: 'norte', name: 'Norte Drivetrain GmbH', country: 'DE', roles: ['SUPPLIER'], duns: '460000003' },
  {
    key: 'kaohsiung',
    name: 'Kaohsiung Wheel Co., Ltd.',
    country: 'TW',
    roles: ['SUPPLIER'],
    duns: '460000004',
  },
  {
    key: 'cantabrico',
    name: 'Aluminios del Cantábrico S.A.',
    country: 'ES',
    roles: ['SUPPLIER'],
    duns: '460000005',
    invited: true,
  },
  {
    key: 'taiyuan',
    name: 'Taiyuan Precision Gears Co.',
    country: 'CN',
    roles: ['SUPPLIER'],
    duns: '460000006',
    invited: true,
  },
  {
    key: 'formosa',
    name: 'Formosa Rubber Industries',
    country: 'TW',
    roles: ['SUPPLIER'],
    duns: '460000007',
    invited: true,
  },
  {
    key: 'baotou',
    name: 'Baotou Special Steel Mill',
    country: 'CN',
    roles: ['SUPPLIER'],
    duns: '460000008',
    invited: true,
  },
  {
    key: 'boke',
    name: 'Boké Bauxite Mining SA',
    country: 'GN',
    roles: ['SUPPLIER'],
    duns: '460000009',
    invited: true,
  },
  { key: 'velomarkt', name: 'VeloMarkt Handels GmbH', country: 'DE', roles: ['CUSTOMER'], duns: '460000010' },
  { key: 'atlantico', name: 'Ciclos Atlántico S.A.', country: 'ES', roles: ['CUSTOMER'], duns: '460000011' },
  {
    key: 'radhaus',
    name: 'Radhaus Berlin KG',
    country: 'DE',
    roles: ['CUSTOMER'],
    duns: '460000012',
    invited: true,
  },
  {
    key: 'bavaria',
    name: 'Bike Bavaria e.K.',
    country: 'DE',
    roles: ['CUSTOMER'],
    duns: '460000013',
    invited: true,
  },
  {
    key: 'galicia',
    name: 'Bicis Galicia S.L.',
    country: 'ES',
    roles: ['CUSTOMER'],
    duns: '460000014',
    invited: true,
  },
  {
    key: 'lisboa',
    name: 'Lisboa Pedal Lda.',
    country: 'PT',
    roles: ['CUSTOMER'],
    duns: '460000015',
    invited: true,
  },
];

const ITEMS = [
  { sku: 'BIKE-TRAIL-29', name: 'Trail bike 29"', unit: 'EA', gtin: '84100000001', price: '1890.00' },
  { sku: 'FRAME-AL-54', name: 'Aluminium frame 54 cm', unit: 'EA', gtin: '84100000002', price: '210.00' },
  { sku: 'DRIVE-12S', name: '12-speed drivetrain group', unit: 'EA', gtin: '84100000003', price: '340.00' },
  { sku: 'WHEEL-29', name: 'Wheelset 29"', unit: 'EA', gtin: '84100000004', price: '260.00' },
  { sku: 'TUBE-AL-6061', name: 'Aluminium tube 6061', unit: 'MTR', gtin: '84100000005', price: '12.40' },
  { sku: 'STEEL-42CRMO4', name: 'Alloy steel bar 42CrMo4', unit: 'KGM', gtin: '84100000006', price: '3.10' },
  { sku: 'BAUXITE', name: 'Bauxite ore', unit: 'TNE', gtin: null, price: null },
  { sku: 'TYRE-29', name: 'Tyre 29 x 2.4', unit: 'EA', gtin: '84100000007', price: '38.00' },
];

// [supplier, customer, items, share]: who supplies whom, as each company disclosed it.
const LINKS: [string, string, string[], number][] = [
  ['iberframe', 'self', ['FRAME-AL-54'], 1],
  ['norte', 'self', ['DRIVE-12S'], 1],
  ['kaohsiung', 'self', ['WHEEL-29'], 1],
  ['cantabrico', 'iberframe', ['TUBE-AL-6061'], 0.8],
  ['cantabrico', 'kaohsiung', ['TUBE-AL-6061'], 0.6],
  ['taiyuan', 'norte', ['DRIVE-12S'], 0.7],
  ['formosa', 'kaohsiung', ['TYRE-29'], 1],
  ['baotou', 'taiyuan', ['STEEL-42CRMO4'], 0.9],
  ['boke', 'cantabrico', ['BAUXITE'], 0.5],
  ['self', 'velomarkt', ['BIKE-TRAIL-29'], 0.4],
  ['self', 'atlantico', ['BIKE-TRAIL-29'], 0.6],
  ['velomarkt', 'radhaus', ['BIKE-TRAIL-29'], 0.5],
  ['velomarkt', 'bavaria', ['BIKE-TRAIL-29'], 0.5],
  ['atlantico', 'galicia', ['BIKE-TRAIL-29'], 0.7],
  ['atlantico', 'lisboa', ['BIKE-TRAIL-29'], 0.3],
];

export async function isEmpty(db: Database): Promise<boolean> {
  const { count } = await db.one<{ count: string }>('SELECT count(*)::int8 AS count FROM partners.partner');
  return count === '0';
}

/** Seeds the demo network through each subgraph's own store, one transaction per subgraph step. */
export async function seedDemo(
  db: Database,
  _driver: Driver,
  settled: () => Promise<void>,
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  await db.transaction(async (tx) => {
    for (const company of DEMO_COMPANIES) {
      const { partner } = await registerPartner(
        tx,
        {
          name: company.name,
          country: company.country,
          roles: company.roles,
          identifiers: [
            { scheme: 'DUNS', value: company.duns },
            ...(company.vat ? [{ scheme: 'VAT' as const, value: company.vat }] : []),
          ],
          status: company.invited ? 'INVITED' : 'ACTIVE',
          isSelf: company.isSelf ?? false,
        },
        ACTOR,
      );
      ids[company.key] = partner.id;
    }
  });
  const id = (key: string) => ids[key]!;

  await db.transaction(async (tx) => {
    for (const item of ITEMS) {
      await upsertItem(
        tx,
        {
          sku: item.sku,
          name: item.name,
          unit: item.unit,
          gtin: item.gtin ? withGs1CheckDigit(`0${item.gtin}`) : null,
          listPrice: item.price ? { amount: item.price, currency: 'EUR' } : null,
        },
        ACTOR,
      );
    }
    for (const [sku, onHand] of [
      ['BIKE-TRAIL-29', '42'],
      ['FRAME-AL-54', '120'],
      ['DRIVE-12S', '35'],
      ['WHEEL-29', '80'],
    ] as const) {
      await setOnHand(tx, sku, 'MAD-1', onHand, ACTOR);
    }
  });

  // Orders learn partners and items from the event log; wait until they have.
  await settled();
  const orders = await db.transaction((tx) => seedOrders(tx, id));

  // Invoicing learns orders from the event log too: the payable is matched against the wheels' receipt.
  await settled();
  const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  const invoiceSettings = invoiceSettingsFromEnvironment();
  await db.transaction(async (tx) => {
    await submitSupplierInvoice(
      tx,
      actingFor(id('kaohsiung')),
      {
        number: 'KW-2026-0917',
        currency: 'USD',
        issueDate: daysFromNow(-20),
        dueDate: daysFromNow(40),
        lines: [
          { orderId: orders.wheels.id, lineNo: 1, quantity: '100', unitPrice: '248.00', taxRate: '0' },
          { orderId: orders.wheels.id, lineNo: 2, quantity: '200', unitPrice: '31.75', taxRate: '0' },
        ],
        total: '31150.00',
      },
      null,
      invoiceSettings,
      daysFromNow(0),
    );
    // Issued 45 days ago on the default 30-day terms: 15 days overdue, so dunning has work to show.
    await issueInvoice(tx, COMPANY, orders.velo.id, invoiceSettings, daysFromNow(-45));
  });

  // Declared links go through the event log like any declaration; the network projection applies them.
  await db.transaction((tx) =>
    appendDeclarations(
      tx,
      LINKS.map(([supplier, customer, items, share]) => ({
        supplierId: id(supplier),
        customerId: id(customer),
        items,
        share,
        since: null,
        visibility: 'PARTNERS',
        // Each link is disclosed by the partner on our side of it: its customer, or our own partner.
        declaredBy: id(supplier === 'self' ? customer : customer === 'self' ? supplier : customer),
      })),
      ACTOR,
    ),
  );
  return ids;
}

const line = (sku: string, quantity: string, amount: string, currency = 'EUR'): NewOrderLineInput => ({
  sku,
  quantity,
  unitPrice: { amount, currency },
});

/** Orders at every stage, each walked through the same lifecycle the API uses. */
async function seedOrders(tx: Queryable, id: (key: string) => string) {
  const purchase = async (supplier: string, currency: string, lines: NewOrderLineInput[]) => {
    const order = await createPurchaseOrder(
      tx,
      COMPANY,
      { supplierId: id(supplier), currency, lines },
      null,
      SETTINGS,
    );
    await submitOrder(tx, COMPANY, order.id);
    return order;
  };
  const frames = await purchase('iberframe', 'EUR', [line('FRAME-AL-54', '200', '198.50')]);
  await confirmOrder(tx, actingFor(id('iberframe')), frames.id, {
    lines: [
      { lineNo: 1, quantity: '180', date: new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10) },
    ],
    externalRef: 'IBF-SO-5521',
  });
  await purchase('norte', 'EUR', [line('DRIVE-12S', '150', '321.00')]);
  const wheels = await purchase('kaohsiung', 'USD', [
    line('WHEEL-29', '100', '248.00', 'USD'),
    line('TYRE-29', '200', '31.75', 'USD'),
  ]);
  await confirmOrder(tx, actingFor(id('kaohsiung')), wheels.id, {});
  const wheelsShipment = await shipOrder(tx, actingFor(id('kaohsiung')), wheels.id, {
    reference: 'KW-ASN-7730',
    carrier: 'Evergreen',
    lines: [
      { lineNo: 1, quantity: '100' },
      { lineNo: 2, quantity: '200' },
    ],
  });
  await receiveShipment(tx, COMPANY, wheelsShipment.id, {});

  const velo = await placeSalesOrder(
    tx,
    COMPANY,
    {
      customerId: id('velomarkt'),
      currency: 'EUR',
      externalRef: 'VM-88213',
      lines: [line('BIKE-TRAIL-29', '24', '1790.00')],
    },
    null,
    SETTINGS,
  );
  await confirmOrder(tx, COMPANY, velo.id, {});
  await shipOrder(tx, COMPANY, velo.id, { lines: [{ lineNo: 1, quantity: '24' }] });
  const atlantico = await placeSalesOrder(
    tx,
    COMPANY,
    { customerId: id('atlantico'), currency: 'EUR', lines: [line('BIKE-TRAIL-29', '10', '1820.00')] },
    null,
    SETTINGS,
  );
  await confirmOrder(tx, COMPANY, atlantico.id, {});
  return { wheels, velo };
}

-- Order numbers come from a sequence per kind instead of a counter row per kind and year. Every create
-- locked that one row until it committed, so concurrent creates queued behind each other. A sequence hands
-- out numbers without a lock; the price is that a create that rolls back leaves a gap, which order numbers
-- may have (invoice numbers, which may not, keep their counter rows). The year in PO-2026-000123 is the
-- year the order was created, and the count goes on across years, so numbers still only grow.
CREATE SEQUENCE purchase_order_number;
CREATE SEQUENCE sales_order_number;

-- Numbers already handed out stay unique: each sequence starts after the highest of its kind.
SELECT setval('purchase_order_number', max(last)) FROM order_number WHERE kind = 'PURCHASE' HAVING max(last) > 0;
SELECT setval('sales_order_number', max(last)) FROM order_number WHERE kind = 'SALES' HAVING max(last) > 0;

DROP TABLE order_number;

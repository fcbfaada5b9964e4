-- Shopify's finance report per day: gross sales, discounts, returns, net sales, shipping, taxes, total sales
-- and payments per gateway, in the shop's currency and counted in days of the shop's time zone, from the
-- tables tap-shopify-admin loads with target-postgres. docs/net-sales.md says what each figure is.
--
-- Tables are named without their schema: put the loaded schema on the search path, e.g.
--   PGOPTIONS='-c search_path=shopify' psql -d warehouse -f docs/net-sales.sql
--
-- Every amount is a MoneyBag's shopMoney: an order sold in another (presentment) currency is counted in the
-- shop's. Orders deleted in the shop (rows with _sdc_deleted_at set) and test orders count for nothing, and
-- neither do the rows of their lines, refunds and transactions, which the loader keeps.
with
shop as (
    select "ianaTimezone" as timezone, "currencyCode" as currency from shop
),

-- the loader keeps times as UTC without a zone: a day is the date of that instant in the shop's zone
counted_orders as (
    select
        o.id,
        o."taxesIncluded" as taxes_included,
        shop.timezone,
        (o."processedAt" at time zone 'UTC' at time zone shop.timezone)::date as day
    from orders as o cross join shop
    where o._sdc_deleted_at is null and not o.test
),

counted_refunds as (
    select r.id, o.taxes_included, (r."processedAt" at time zone 'UTC' at time zone o.timezone)::date as day
    from refunds as r join counted_orders as o on o.id = r."orderId"
),

-- sales, by the day each order was processed
line_items as (
    select
        o.day,
        o.taxes_included,
        (li."originalUnitPriceSet" -> 'shopMoney' ->> 'amount')::numeric * li.quantity as at_price,
        coalesce((
            select sum((t."priceSet" -> 'shopMoney' ->> 'amount')::numeric)
            from order_line_item_tax_lines as t where t."lineItemId" = li.id
        ), 0) as tax,
        coalesce((
            select sum((a."allocatedAmountSet" -> 'shopMoney' ->> 'amount')::numeric)
            from order_line_item_discount_allocations as a where a."lineItemId" = li.id
        ), 0) as discount
    from order_line_items as li join counted_orders as o on o.id = li."orderId"
),

successful_payments as (
    select
        (t."processedAt" at time zone 'UTC' at time zone o.timezone)::date as day,
        t.gateway,
        case t.kind when 'REFUND' then -1 else 1 end * (t."amountSet" -> 'shopMoney' ->> 'amount')::numeric as amount
    from transactions as t join counted_orders as o on o.id = t."orderId"
    where t.status = 'SUCCESS' and t.kind in ('SALE', 'CAPTURE', 'REFUND')
),

-- every movement of money as (day, gross sales, discounts, returns, shipping, taxes)
movements (day, gross_sales, discounts, returns, shipping, taxes) as (
    -- units at their price, less the tax that prices include; what discounts took off them
    select day, at_price - case when taxes_included then tax else 0 end, discount, 0, 0, 0
    from line_items
    union all
    -- shipping charged, less its discounts
    select o.day, 0, 0, 0, (s."discountedPriceSet" -> 'shopMoney' ->> 'amount')::numeric, 0
    from shipping_lines as s join counted_orders as o on o.id = s."orderId"
    union all
    -- taxes charged: the order's tax lines sum its lines', its shipping's and its own
    select o.day, 0, 0, 0, 0, (t."priceSet" -> 'shopMoney' ->> 'amount')::numeric
    from order_tax_lines as t join counted_orders as o on o.id = t."orderId"
    union all
    -- a refund's day is a day of the report, even when it gives back money only
    select day, 0, 0, 0, 0, 0
    from counted_refunds
    union all
    -- refunded units at what they sold for, less the tax they include; their tax comes off taxes
    select
        r.day,
        0,
        0,
        (rli."subtotalSet" -> 'shopMoney' ->> 'amount')::numeric
        - case when r.taxes_included then (rli."totalTaxSet" -> 'shopMoney' ->> 'amount')::numeric else 0 end,
        0,
        -(rli."totalTaxSet" -> 'shopMoney' ->> 'amount')::numeric
    from refund_line_items as rli join counted_refunds as r on r.id = rli."refundId"
    union all
    -- refunded shipping and its tax
    select
        r.day,
        0,
        0,
        0,
        -(rsl."subtotalAmountSet" -> 'shopMoney' ->> 'amount')::numeric,
        -(rsl."taxAmountSet" -> 'shopMoney' ->> 'amount')::numeric
    from refund_shipping_lines as rsl join counted_refunds as r on r.id = rsl."refundId"
    union all
    -- a payment's day is a day of the report too
    select day, 0, 0, 0, 0, 0
    from successful_payments
),

sales as (
    select
        day,
        sum(gross_sales) as gross_sales,
        sum(discounts) as discounts,
        sum(returns) as returns,
        sum(shipping) as shipping,
        sum(taxes) as taxes
    from movements
    group by day
),

-- successful sales and captures less successful refunds; authorizations, voids, failed and pending
-- transactions move no money
payments as (
    select day, jsonb_object_agg(gateway, amount) as payments
    from (select day, gateway, sum(amount) as amount from successful_payments group by day, gateway) as g
    group by day
)

select
    s.day,
    shop.currency,
    s.gross_sales,
    s.discounts,
    s.returns,
    s.gross_sales - s.discounts - s.returns as net_sales,
    s.shipping,
    s.taxes,
    s.gross_sales - s.discounts - s.returns + s.shipping + s.taxes as total_sales,
    coalesce(p.payments, '{}') as payments
from sales as s
cross join shop
left join payments as p using (day)
order by s.day;

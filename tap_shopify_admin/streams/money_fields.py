"""What an order's money is read as: its tax, shipping and discount lines, transactions and refunds,
selected inside the order (`orders.py`) and written as streams of their own (`money.py`)."""

MONEY = "shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }"
TAX_LINE_FIELDS = f"title rate ratePercentage priceSet {{ {MONEY} }} channelLiable source"
DISCOUNT_ALLOCATION_FIELDS = f"allocatedAmountSet {{ {MONEY} }} discountApplication {{ index }}"
SHIPPING_LINE_FIELDS = f"""
    id title code source carrierIdentifier isRemoved originalPriceSet {{ {MONEY} }} discountedPriceSet {{ {MONEY} }}
    currentDiscountedPriceSet {{ {MONEY} }} taxLines {{ {TAX_LINE_FIELDS} }}
    discountAllocations {{ {DISCOUNT_ALLOCATION_FIELDS} }}
"""
DISCOUNT_APPLICATION_FIELDS = """
    index allocationMethod targetSelection targetType
    value { ... on MoneyV2 { amount currencyCode } ... on PricingPercentageValue { percentage } }
    ... on DiscountCodeApplication { code } ... on ManualDiscountApplication { title description }
    ... on AutomaticDiscountApplication { title } ... on ScriptDiscountApplication { title }
"""
TRANSACTION_FIELDS = f"""
    id kind status gateway formattedGateway amountSet {{ {MONEY} }} processedAt createdAt parentTransaction {{ id }}
    errorCode paymentId test authorizationCode manuallyCapturable
    fees {{ id type rate rateName flatFeeName amount {{ amount currencyCode }} flatFee {{ amount currencyCode }}
        taxAmount {{ amount currencyCode }} }}
"""
REFUND_LINE_ITEM_FIELDS = f"""
    id quantity restockType restocked lineItem {{ id }} location {{ id }} priceSet {{ {MONEY} }}
    subtotalSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }}
"""
ORDER_ADJUSTMENT_FIELDS = f"id reason amountSet {{ {MONEY} }} taxAmountSet {{ {MONEY} }}"
REFUND_SHIPPING_LINE_FIELDS = f"id shippingLine {{ id }} subtotalAmountSet {{ {MONEY} }} taxAmountSet {{ {MONEY} }}"
REFUND_DUTY_FIELDS = f"amountSet {{ {MONEY} }}"
REFUND_FIELDS = f"""
    id legacyResourceId createdAt updatedAt processedAt note totalRefundedSet {{ {MONEY} }} return {{ id }}
    duties {{ {REFUND_DUTY_FIELDS} }}
    refundLineItems(first: 50) {{ nodes {{ {REFUND_LINE_ITEM_FIELDS} }} }}
    orderAdjustments(first: 10) {{ nodes {{ {ORDER_ADJUSTMENT_FIELDS} }} }}
    refundShippingLines(first: 10) {{ nodes {{ {REFUND_SHIPPING_LINE_FIELDS} }} }}
    transactions(first: 10) {{ nodes {{ id }} }}
"""
ORDER_MONEY_FIELDS = f"""
    currentSubtotalPriceSet {{ {MONEY} }} currentTotalDiscountsSet {{ {MONEY} }} currentTotalTaxSet {{ {MONEY} }}
    currentTotalPriceSet {{ {MONEY} }} totalReceivedSet {{ {MONEY} }} netPaymentSet {{ {MONEY} }}
    totalOutstandingSet {{ {MONEY} }} refundable returnStatus paymentGatewayNames discountCodes taxesIncluded
    taxLines {{ {TAX_LINE_FIELDS} }}
    shippingLines(first: 10) {{ nodes {{ {SHIPPING_LINE_FIELDS} }} }}
    discountApplications(first: 10) {{ nodes {{ {DISCOUNT_APPLICATION_FIELDS} }} }}
    transactions {{ {TRANSACTION_FIELDS} }}
    refunds {{ {REFUND_FIELDS} }}
"""
RETURN_LINE_ITEM_FIELDS = """
    id quantity returnReason returnReasonNote customerNote refundedQuantity
    ... on ReturnLineItem { fulfillmentLineItem { id lineItem { id } } }
"""
RETURN_FIELDS = f"""
    id name status createdAt closedAt requestApprovedAt totalQuantity
    returnLineItems(first: 50) {{ nodes {{ {RETURN_LINE_ITEM_FIELDS} }} }}
"""

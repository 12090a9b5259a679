namespace PgBorrow.Benchmarks.AnalyzerCost;

/// <summary>
/// A table the synthetic code works on: an id, a foreign key, a text column with a few states and
/// a numeric column. Enough variety for the SQL and the row records to look like a real schema.
/// </summary>
internal sealed record Entity(
    string Name,
    string Table,
    string Fk,
    string FkColumn,
    string Text,
    string TextColumn,
    string Num,
    string NumColumn,
    string[] States)
{
    public string Row => Name + "Row";

    public string Columns => $"id, {FkColumn}, {TextColumn}, {NumColumn}";

    public string ReadRow(string reader)
        => $"new {Row}({reader}.GetInt64(0), {reader}.GetInt64(1), {reader}.GetString(2), {reader}.GetDecimal(3))";

    public static readonly Entity[] All =
    [
        new("Order", "orders", "CustomerId", "customer_id", "Status", "status", "Total", "total", ["pending", "paid", "shipped", "cancelled"]),
        new("Invoice", "invoices", "OrderId", "order_id", "State", "state", "Amount", "amount", ["draft", "issued", "paid", "void"]),
        new("Customer", "customers", "RegionId", "region_id", "Email", "email", "CreditLimit", "credit_limit", ["active", "suspended", "closed"]),
        new("Shipment", "shipments", "OrderId", "order_id", "Carrier", "carrier", "Weight", "weight_kg", ["dhl", "ups", "postnl", "returned"]),
        new("Payment", "payments", "InvoiceId", "invoice_id", "Method", "method", "Amount", "amount", ["card", "sepa", "refunded"]),
        new("Product", "products", "CategoryId", "category_id", "Sku", "sku", "Price", "price", ["listed", "unlisted", "discontinued"]),
        new("Account", "accounts", "OwnerId", "owner_id", "Currency", "currency", "Balance", "balance", ["EUR", "USD", "frozen"]),
        new("Ticket", "tickets", "ProjectId", "project_id", "State", "state", "Priority", "priority", ["open", "in_progress", "closed"]),
        new("Booking", "bookings", "RoomId", "room_id", "Guest", "guest", "Nights", "nights", ["held", "confirmed", "cancelled"]),
        new("Subscription", "subscriptions", "CustomerId", "customer_id", "Plan", "plan", "Fee", "monthly_fee", ["trial", "active", "lapsed"]),
    ];
}

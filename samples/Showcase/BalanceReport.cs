namespace PgBorrow.Samples.Showcase;

/// <summary>
/// Total balances and total pending orders, read from one snapshot and converted to
/// <see cref="Currency"/> at <see cref="Rate"/> (the PGB102 scenario).
/// </summary>
public sealed record BalanceReport(string Currency, decimal Rate, decimal TotalBalances, decimal PendingOrders);

using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

// Stand-ins for the HTTP clients of two outside services, in a namespace of their own as real
// client libraries are. (Not under PgBorrow.*: the analyzers treat calls into the PgBorrow,
// Npgsql and Dapper namespaces as database work, so an await on them is never PGB101/PGB102.)
namespace ExternalServices;

/// <summary>
/// A payment service provider (PSP) reached over HTTP: what it says about the payment of an order.
/// Used by the PGB101 scenario.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>The provider's status of the order's payment: "pending", "paid" or "failed".</summary>
    Task<string> GetPaymentStatusAsync(int orderId, CancellationToken cancellationToken);
}

/// <summary>
/// A currency-rate service reached over HTTP: how many units of a currency one unit of the
/// accounts' currency buys. Used by the PGB102 scenario.
/// </summary>
public interface IExchangeRates
{
    Task<decimal> GetRateAsync(string currency, CancellationToken cancellationToken);
}

/// <summary>A stand-in for the provider's HTTP API: answers after <c>latency</c>, like a network call.</summary>
public sealed class FakePaymentProvider : IPaymentProvider
{
    private readonly TimeSpan _latency;
    private readonly IReadOnlyDictionary<int, string> _statuses;

    /// <param name="latency">How long each call takes.</param>
    /// <param name="statuses">The status per order id; orders not listed are "paid".</param>
    public FakePaymentProvider(TimeSpan latency, IReadOnlyDictionary<int, string>? statuses = null)
    {
        _latency = latency;
        _statuses = statuses ?? new Dictionary<int, string>();
    }

    public async Task<string> GetPaymentStatusAsync(int orderId, CancellationToken cancellationToken)
    {
        await Task.Delay(_latency, cancellationToken);
        return _statuses.TryGetValue(orderId, out var status) ? status : "paid";
    }
}

/// <summary>A stand-in for the rate service's HTTP API: one fixed rate, after <c>latency</c>.</summary>
public sealed class FakeExchangeRates : IExchangeRates
{
    private readonly TimeSpan _latency;
    private readonly decimal _rate;

    public FakeExchangeRates(TimeSpan latency, decimal rate)
    {
        _latency = latency;
        _rate = rate;
    }

    public async Task<decimal> GetRateAsync(string currency, CancellationToken cancellationToken)
    {
        await Task.Delay(_latency, cancellationToken);
        return _rate;
    }
}

using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// Refuses the runtime's session features (<c>AdvisoryLockAsync</c>, <c>TryAdvisoryLockAsync</c>, <c>ListenAsync</c>) on a
/// connection that goes through a connection pooler such as PgBouncer. Under transaction pooling the server session
/// behind a client connection changes between transactions, so a session lock would be held by whichever client gets
/// that server connection next, and a LISTEN would hear nothing.
/// </summary>
/// <remarks>
/// The sign is cheap and needs no configuration: a pooler answers the client's startup with a cancel key of its own,
/// so the process id Npgsql reports (<see cref="NpgsqlConnection.ProcessID"/>) is not the server's
/// <c>pg_backend_pid()</c>. The comparison rides on the statement the feature sends anyway (advisory locks) or costs
/// one round trip per connection (a listener). A pooler in <em>session</em> mode looks the same but keeps the session:
/// there, set the <see cref="AllowThroughPoolerSwitch"/> AppContext switch to skip the check.
/// </remarks>
internal static class PgSessionCheck
{
    /// <summary>The AppContext switch that turns the check off (for a pooler in session mode).</summary>
    internal const string AllowThroughPoolerSwitch = "PgBorrow.AllowSessionFeaturesThroughPooler";

    /// <summary>Whether the check runs (it does unless the AppContext switch is set).</summary>
    internal static bool Enabled => !(AppContext.TryGetSwitch(AllowThroughPoolerSwitch, out var allowed) && allowed);

    /// <summary>The error for <paramref name="feature"/> on a connection whose server process is not the one Npgsql knows.</summary>
    internal static InvalidOperationException ThroughPooler(string feature, int clientProcessId, int serverProcessId)
        => new(
            $"{feature} needs a session of its own, but this connection goes through a connection pooler (Npgsql knows process "
            + $"{clientProcessId}, the server runs the statement in process {serverProcessId}). Under transaction pooling "
            + "(PgBouncer's pool_mode = transaction) the server session changes between transactions, so session state is "
            + "shared with other clients: a session advisory lock is held for whoever gets that server connection next, a "
            + "LISTEN hears nothing. Use a direct connection to PostgreSQL for this (a second NpgsqlDataSource that bypasses "
            + "the pooler), or a transaction-level lock (PgTx.AdvisoryXactLockAsync) inside InTransactionAsync. "
            + $"If the pooler runs in session mode, set the AppContext switch \"{AllowThroughPoolerSwitch}\" to skip this check.");

    /// <summary>Throws <see cref="ThroughPooler"/> when <paramref name="connection"/>'s server process is not Npgsql's (one round trip).</summary>
    internal static async Task ThrowIfThroughPoolerAsync(NpgsqlConnection connection, string feature, CancellationToken cancellationToken)
    {
        if (!Enabled)
            return;
        var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        await using (command.ConfigureAwait(false))
        {
            var serverProcessId = (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (serverProcessId != connection.ProcessID)
                throw ThroughPooler(feature, connection.ProcessID, serverProcessId);
        }
    }
}

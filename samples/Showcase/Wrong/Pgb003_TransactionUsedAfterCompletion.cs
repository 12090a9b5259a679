using System;
using System.Collections.Generic;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB003 — Transaction used after it completed.
//
// The bug: the overdraft check runs after Commit, and "undoes" the transfer with Rollback on a
// transaction that Commit has already consumed (use after move).
//
// What PostgreSQL does at run time: COMMIT has already made the transfer durable and visible to
// everyone, overdraft included; there is nothing left to roll back. Npgsql never even sends the
// ROLLBACK: it throws InvalidOperationException "This NpgsqlTransaction has completed; it is no
// longer usable." So the account stays overdrawn and the caller gets an InvalidOperationException
// instead of the insufficient-funds error it expected.
//
// Fixed version: Right/Pgb003_TransactionUsedAfterCompletion.cs
public sealed class TransferService
{
    private readonly NpgsqlDataSource _dataSource;

    public TransferService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Moves <paramref name="amount"/> from one account to another.</summary>
    public void Transfer(int fromAccountId, int toAccountId, int amount)
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();

        int newBalance;
        using (var debit = new NpgsqlCommand("UPDATE accounts SET balance = balance - $2 WHERE id = $1 RETURNING balance", connection, transaction))
        {
            debit.Parameters.AddWithValue(fromAccountId);
            debit.Parameters.AddWithValue(amount);
            newBalance = (int)debit.ExecuteScalar()!;
        }

        using (var credit = new NpgsqlCommand("UPDATE accounts SET balance = balance + $2 WHERE id = $1", connection, transaction))
        {
            credit.Parameters.AddWithValue(toAccountId);
            credit.Parameters.AddWithValue(amount);
            credit.ExecuteNonQuery();
        }

        transaction.Commit();

        if (newBalance < 0)
        {
            transaction.Rollback(); // BUG (PGB003): the transaction was committed above
            throw new InsufficientFundsException(fromAccountId, newBalance + amount, amount);
        }
    }
}

// PGB003 across time — a callback that outlives its transaction.
//
// The bug: the payment audit row is queued as an "after save" callback that the caller runs later,
// but it uses the order's transaction, which PlaceOrder commits (and 'using' disposes) before it
// returns.
//
// What happens at run time: when the caller runs the callback, the command names a completed
// transaction, and Npgsql refuses to run it (InvalidOperationException "Transaction is already
// completed"). The order is committed, its audit row is never written: the two were meant to be
// atomic.
//
// Fixed version: Right/Pgb003_TransactionUsedAfterCompletion.cs (OrderPlacer)
public sealed class OrderPlacer
{
    private readonly List<Action> _afterSave = new();

    /// <summary>Work to run once the order is saved.</summary>
    public IReadOnlyList<Action> AfterSave => _afterSave;

    public int PlaceOrder(NpgsqlConnection connection, int accountId, int amount, string reference)
    {
        using var transaction = connection.BeginTransaction();
        int orderId;
        using (var insert = new NpgsqlCommand("INSERT INTO orders (account_id, amount) VALUES ($1, $2) RETURNING id", connection, transaction))
        {
            insert.Parameters.AddWithValue(accountId);
            insert.Parameters.AddWithValue(amount);
            orderId = (int)insert.ExecuteScalar()!;
        }

        // BUG (PGB003): the caller runs this after the commit below, against a completed transaction
        _afterSave.Add(() =>
        {
            using var audit = new NpgsqlCommand("INSERT INTO payment_audit (order_id, reference) VALUES ($1, $2)", connection, transaction);
            audit.Parameters.AddWithValue(orderId);
            audit.Parameters.AddWithValue(reference);
            audit.ExecuteNonQuery();
        });

        transaction.Commit();
        return orderId;
    }
}

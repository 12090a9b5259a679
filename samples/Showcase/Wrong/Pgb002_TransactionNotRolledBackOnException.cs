using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB002 — Transaction is not rolled back when an exception is thrown.
//
// The bug: every normal path commits, but nothing (no using, finally or rolling-back catch) ends the
// transaction when an exception is thrown between BeginTransaction and Commit. Here the exception is
// the method's own InsufficientFundsException, thrown after the debit already ran.
//
// What PostgreSQL does at run time: the session stays "idle in transaction" with the uncommitted
// debit (the balance is already negative inside the transaction) and the row lock on the account,
// so other writers of that account block. The connection belongs to the caller, which catches the
// exception and keeps the connection: its next statements run inside this transaction and still see
// the negative balance, and its next BeginTransaction throws "A transaction is already in progress".
// Had the exception come from PostgreSQL itself (a constraint violation, say), the session would be
// "idle in transaction (aborted)" and every later statement would fail with SQLSTATE 25P02.
//
// Fixed version: Right/Pgb002_TransactionNotRolledBackOnException.cs
public sealed class OrderPlacementService
{
    /// <summary>Pays for an order: debits the account and records the paid order; returns the order id. The caller owns the connection.</summary>
    public int PlaceOrder(NpgsqlConnection connection, int accountId, int amount)
    {
        var transaction = connection.BeginTransaction(); // BUG (PGB002): nothing rolls this back if anything below throws

        int newBalance;
        using (var debit = new NpgsqlCommand("UPDATE accounts SET balance = balance - $2 WHERE id = $1 RETURNING balance", connection, transaction))
        {
            debit.Parameters.AddWithValue(accountId);
            debit.Parameters.AddWithValue(amount);
            newBalance = (int)debit.ExecuteScalar()!;
        }

        if (newBalance < 0)
            throw new InsufficientFundsException(accountId, newBalance + amount, amount);

        int orderId;
        using (var insert = new NpgsqlCommand("INSERT INTO orders (account_id, amount, status) VALUES ($1, $2, 'paid') RETURNING id", connection, transaction))
        {
            insert.Parameters.AddWithValue(accountId);
            insert.Parameters.AddWithValue(amount);
            orderId = (int)insert.ExecuteScalar()!;
        }

        transaction.Commit();
        return orderId;
    }
}

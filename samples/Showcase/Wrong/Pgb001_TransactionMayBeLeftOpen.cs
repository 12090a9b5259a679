using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB001 — Transaction may be left open.
//
// The bug: the early "insufficient funds" return leaves the method with the transaction neither
// committed, rolled back nor disposed.
//
// What PostgreSQL does at run time: nothing ends the transaction, so the session stays
// "idle in transaction" (pg_stat_activity.state). The row lock taken by SELECT ... FOR UPDATE is
// still held, so every other withdrawal from that account blocks behind it, and because the
// transaction has a transaction ID, VACUUM cannot remove dead rows newer than it. The caller owns
// the connection and goes on using it: its next statements silently run inside this forgotten
// transaction, and its next BeginTransaction throws "A transaction is already in progress".
// Only closing the connection finally rolls everything back.
//
// Fixed version: Right/Pgb001_TransactionMayBeLeftOpen.cs
public sealed class WithdrawalService
{
    /// <summary>Withdraws <paramref name="amount"/> if the balance covers it. The caller owns the connection.</summary>
    public bool TryWithdraw(NpgsqlConnection connection, int accountId, int amount)
    {
        var transaction = connection.BeginTransaction();

        int balance;
        using (var select = new NpgsqlCommand("SELECT balance FROM accounts WHERE id = $1 FOR UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue(accountId);
            balance = (int)select.ExecuteScalar()!;
        }

        if (balance < amount)
            return false; // BUG (PGB001): returns with the transaction still open

        using (var update = new NpgsqlCommand("UPDATE accounts SET balance = balance - $2 WHERE id = $1", connection, transaction))
        {
            update.Parameters.AddWithValue(accountId);
            update.Parameters.AddWithValue(amount);
            update.ExecuteNonQuery();
        }

        transaction.Commit();
        return true;
    }
}

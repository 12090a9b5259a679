using System;

namespace PgBorrow;

/// <summary>
/// Marks a partial method as a typed query: the [PgQuery] generator writes its body, which runs
/// its <see cref="Sql"/> with the method's parameters bound to its <c>@name</c> placeholders and reads the
/// result into the method's return type.
/// </summary>
/// <remarks>
/// <para>The method takes one <see cref="Npgsql.NpgsqlConnection"/> (open), <see cref="Npgsql.NpgsqlTransaction"/>,
/// <see cref="Npgsql.NpgsqlDataSource"/> or <see cref="PgTx"/> parameter to run on, and may take a
/// <see cref="System.Threading.CancellationToken"/>. Every other parameter binds the placeholder of its name
/// (<c>@minimum</c> binds <c>minimum</c>), sent as a typed <c>$n</c> parameter.</para>
/// <para>It returns <c>Task&lt;List&lt;T&gt;&gt;</c> (every row), <c>Task&lt;T&gt;</c> (exactly one row),
/// <c>Task&lt;T?&gt;</c> (zero or one row), <c>IAsyncEnumerable&lt;T&gt;</c> (rows streamed), <c>Task</c>
/// (nothing read), or the <c>ValueTask</c> forms, where <c>T</c> is a [PgRow] type (one row per value) or a
/// scalar (the first column). <c>Task&lt;int&gt;</c> is the number of affected rows for a statement that
/// returns no rows (INSERT, UPDATE, DELETE or MERGE without RETURNING, DDL), and the first column otherwise.</para>
/// <para>The PGB311-PGB316 rules report a method the generator cannot implement, and why.</para>
/// </remarks>
/// <example>
/// <code>
/// public static partial class OrderQueries
/// {
///     [PgQuery("SELECT id, customer, total FROM orders WHERE total &gt;= @minimum ORDER BY id")]
///     public static partial Task&lt;List&lt;Order&gt;&gt; LargeOrdersAsync(this NpgsqlConnection connection, decimal minimum, CancellationToken ct);
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class PgQueryAttribute : Attribute
{
    /// <summary>A query method running <paramref name="sql"/>.</summary>
    /// <param name="sql">One statement, a constant; <c>@name</c> placeholders name the method's parameters.</param>
    public PgQueryAttribute(string sql) => Sql = sql;

    /// <summary>The statement, as written.</summary>
    public string Sql { get; }

    /// <summary>
    /// Prepare the statement (Npgsql's <c>PrepareAsync</c>): the server parses and plans it once per physical
    /// connection and reuses the plan. On a data source the query runs on a pooled connection it opens itself,
    /// so that the statement can be prepared on it. Default false.
    /// </summary>
    public bool Prepare { get; set; }

    /// <summary>
    /// How long the statement may run, in seconds, before Npgsql cancels it; 0 (the default) keeps the
    /// connection string's <c>Command Timeout</c>, -1 means no limit. Other negative values are refused (PGB311).
    /// </summary>
    public int CommandTimeoutSeconds { get; set; }
}

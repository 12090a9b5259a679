using System;

namespace PgBorrow;

/// <summary>
/// Marks a partial class, record, struct or record struct as a row type: the [PgRow] generator
/// implements <see cref="IPgRow{TSelf}"/> for it, so the query methods
/// (<see cref="PgQueryExtensions.QueryAsync{T}(Npgsql.NpgsqlConnection, PgSql, System.Threading.CancellationToken)"/> and the others)
/// read it with typed, ordinal-based reads and no reflection.
/// </summary>
/// <remarks>
/// Mapped members are the primary-constructor (or single constructor) parameters plus the settable
/// and init-only instance properties declared on the type. Each one reads the column named by
/// <see cref="PgColumnAttribute"/>, or else the member name translated by <see cref="Naming"/>.
/// <see cref="PgIgnoreAttribute"/> leaves a property out.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class PgRowAttribute : Attribute
{
    /// <summary>How member names become column names when no <see cref="PgColumnAttribute"/> is given. Default: <see cref="PgNaming.SnakeCase"/>.</summary>
    public PgNaming Naming { get; set; } = PgNaming.SnakeCase;
}

/// <summary>How a row type's member names become column names.</summary>
public enum PgNaming
{
    /// <summary><c>OrderId</c> reads the column <c>order_id</c>; <c>HTTPStatus</c> reads <c>http_status</c>.</summary>
    SnakeCase = 0,

    /// <summary><c>OrderId</c> reads the column <c>OrderId</c> (a case-insensitive match is tried when no column has that exact name).</summary>
    AsIs = 1,
}

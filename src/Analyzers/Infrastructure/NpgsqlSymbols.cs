using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>What kind of owned value a tracked variable holds.</summary>
internal enum ResourceKind
{
    Transaction,
    Connection,
    DataReader,

    /// <summary>A session-level advisory lock held by a connection (pg_advisory_lock and friends).</summary>
    AdvisoryLock,

    /// <summary>
    /// The transaction of a runtime scope body (InTransactionAsync, [PgTransaction]), reached through
    /// the body's PgTx parameter: open from the body's first statement to its end, never completed
    /// by the body itself. Only the await rules (PGB101, PGB102) read it.
    /// </summary>
    ScopeTransaction,

    /// <summary>
    /// A runtime <c>PgSnapshot</c> (ExportSnapshotAsync): it owns a REPEATABLE READ transaction kept open
    /// on a connection of its own until it is disposed. PGB001 and PGB002 report it left open.
    /// </summary>
    Snapshot,

    /// <summary>
    /// A runtime <c>PgAdvisoryLock</c> guard (AdvisoryLockAsync, TryAdvisoryLockAsync): it holds a
    /// session-level advisory lock until it is disposed or released. PGB103 reports it left held.
    /// </summary>
    AdvisoryLockGuard,
}

/// <summary>
/// The Npgsql, ADO.NET and PgBorrow symbols the engine keys on, resolved once per compilation.
/// Everything is compared by symbol identity; method names are only read from symbols whose
/// containing type was matched first, never from syntax.
/// </summary>
internal sealed class NpgsqlSymbols
{
    /// <summary>
    /// Global option (<c>.globalconfig</c>, or the <c>[*]</c> section of <c>.editorconfig</c>): <c>true</c> limits
    /// the rules to Npgsql's own types, for a project whose ADO.NET abstractions (<c>DbConnection</c>,
    /// <c>IDbConnection</c>...) are another provider's.
    /// </summary>
    public const string NpgsqlTypesOnlyOption = "pgborrow.npgsql_types_only";

    NpgsqlSymbols(Compilation compilation, INamedTypeSymbol npgsqlConnection, bool npgsqlTypesOnly)
    {
        NpgsqlTypesOnly = npgsqlTypesOnly;
        NpgsqlConnection = npgsqlConnection;
        NpgsqlTransaction = compilation.GetTypeByMetadataName("Npgsql.NpgsqlTransaction");
        NpgsqlDataReader = compilation.GetTypeByMetadataName("Npgsql.NpgsqlDataReader");
        NpgsqlCommand = compilation.GetTypeByMetadataName("Npgsql.NpgsqlCommand");
        NpgsqlBatch = compilation.GetTypeByMetadataName("Npgsql.NpgsqlBatch");
        NpgsqlDataSource = compilation.GetTypeByMetadataName("Npgsql.NpgsqlDataSource");
        ReplicationConnection = compilation.GetTypeByMetadataName("Npgsql.Replication.ReplicationConnection");
        DbConnection = compilation.GetTypeByMetadataName("System.Data.Common.DbConnection");
        DbTransaction = compilation.GetTypeByMetadataName("System.Data.Common.DbTransaction");
        DbDataReader = compilation.GetTypeByMetadataName("System.Data.Common.DbDataReader");
        DbCommand = compilation.GetTypeByMetadataName("System.Data.Common.DbCommand");
        DbBatch = compilation.GetTypeByMetadataName("System.Data.Common.DbBatch");
        DbDataSource = compilation.GetTypeByMetadataName("System.Data.Common.DbDataSource");
        IDbConnection = compilation.GetTypeByMetadataName("System.Data.IDbConnection");
        IDbTransaction = compilation.GetTypeByMetadataName("System.Data.IDbTransaction");
        IDataReader = compilation.GetTypeByMetadataName("System.Data.IDataReader");
        IDbCommand = compilation.GetTypeByMetadataName("System.Data.IDbCommand");
        OwnedAttribute = compilation.GetTypeByMetadataName("PgBorrow.OwnedAttribute");
        NpgsqlBinaryImporter = compilation.GetTypeByMetadataName("Npgsql.NpgsqlBinaryImporter");
        PgBatchResults = compilation.GetTypeByMetadataName("PgBorrow.PgBatchResults");
        NpgsqlBinaryExporter = compilation.GetTypeByMetadataName("Npgsql.NpgsqlBinaryExporter");
        PgSnapshot = compilation.GetTypeByMetadataName("PgBorrow.PgSnapshot");
        PgAdvisoryLock = compilation.GetTypeByMetadataName("PgBorrow.PgAdvisoryLock");
        SystemException = compilation.GetTypeByMetadataName("System.Exception");
        Scopes = Infrastructure.TransactionScopes.TryCreate(compilation);
        MemberConstants = new MemberConstants(compilation);
    }

    /// <summary>The constants this compilation's fields and properties hold (SQL in another class, an isolation level in a field).</summary>
    public MemberConstants MemberConstants { get; }

    /// <summary>The ADO.NET abstractions are not tracked (<see cref="NpgsqlTypesOnlyOption"/>).</summary>
    public bool NpgsqlTypesOnly { get; }

    public INamedTypeSymbol NpgsqlConnection { get; }
    public INamedTypeSymbol? NpgsqlTransaction { get; }
    public INamedTypeSymbol? NpgsqlDataReader { get; }
    public INamedTypeSymbol? NpgsqlCommand { get; }
    public INamedTypeSymbol? NpgsqlBatch { get; }
    public INamedTypeSymbol? NpgsqlDataSource { get; }

    /// <summary>
    /// Npgsql's logical and physical replication connections: each holds a server connection of its own (a
    /// walsender, outside any pool) until it is disposed, so the engine owns them like connections.
    /// </summary>
    public INamedTypeSymbol? ReplicationConnection { get; }
    public INamedTypeSymbol? DbConnection { get; }
    public INamedTypeSymbol? DbTransaction { get; }
    public INamedTypeSymbol? DbDataReader { get; }
    public INamedTypeSymbol? DbCommand { get; }
    public INamedTypeSymbol? DbBatch { get; }
    public INamedTypeSymbol? DbDataSource { get; }
    public INamedTypeSymbol? IDbConnection { get; }
    public INamedTypeSymbol? IDbTransaction { get; }
    public INamedTypeSymbol? IDataReader { get; }
    public INamedTypeSymbol? IDbCommand { get; }
    public INamedTypeSymbol? OwnedAttribute { get; }

    /// <summary>The runtime's exported snapshot handle: owns a transaction on a connection of its own.</summary>
    /// <summary>
    /// A replication connection type, or a type parameter constrained to one
    /// (<c>where TConnection : ReplicationConnection</c>, the shape of code written for both kinds).
    /// </summary>
    public bool IsReplicationConnection(ITypeSymbol? type)
    {
        if (ReplicationConnection is null || type is null)
            return false;
        if (type is ITypeParameterSymbol parameter)
        {
            foreach (var constraint in parameter.ConstraintTypes)
            {
                if (IsOrDerives(constraint, ReplicationConnection))
                    return true;
            }
            return false;
        }
        return IsOrDerives(type, ReplicationConnection);
    }

    /// <summary>A binary COPY in progress: the connection is busy until it is completed or disposed.</summary>
    public INamedTypeSymbol? NpgsqlBinaryImporter { get; }
    public INamedTypeSymbol? NpgsqlBinaryExporter { get; }

    public INamedTypeSymbol? PgSnapshot { get; }

    /// <summary>
    /// The runtime's results of a batch (QueryMultipleAsync): it holds the batch's reader open, so like a
    /// reader it keeps its connection busy (or, from a data source, a pooled connection) until it is disposed.
    /// </summary>
    public INamedTypeSymbol? PgBatchResults { get; }

    /// <summary>The runtime's session advisory lock guard.</summary>
    public INamedTypeSymbol? PgAdvisoryLock { get; }
    public INamedTypeSymbol? SystemException { get; }

    /// <summary>The runtime's transaction scopes (PgTx, InTransactionAsync, [PgTransaction]); null without the runtime.</summary>
    public Infrastructure.TransactionScopes? Scopes { get; }

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, Holder> s_perCompilation = new();

    sealed class Holder
    {
        public Holder(NpgsqlSymbols? symbols) => Symbols = symbols;

        public NpgsqlSymbols? Symbols { get; }
    }

    /// <summary>
    /// Null when the compilation does not reference Npgsql: then no rule has anything to do. Resolved
    /// once per compilation, however many rules ask.
    /// </summary>
    public static NpgsqlSymbols? TryCreate(Compilation compilation, AnalyzerOptions options)
        => s_perCompilation.GetValue(compilation, c =>
        {
            var connection = c.GetTypeByMetadataName("Npgsql.NpgsqlConnection");
            return new Holder(connection is null ? null : new NpgsqlSymbols(c, connection, ReadNpgsqlTypesOnly(c, options)));
        }).Symbols;

    static bool ReadNpgsqlTypesOnly(Compilation compilation, AnalyzerOptions options)
    {
        var provider = options.AnalyzerConfigOptionsProvider;
        if (!provider.GlobalOptions.TryGetValue(NpgsqlTypesOnlyOption, out var value))
        {
            foreach (var tree in compilation.SyntaxTrees)
            {
                if (provider.GetOptions(tree).TryGetValue(NpgsqlTypesOnlyOption, out value))
                    break;
            }
        }
        return value is not null && value.Trim().Equals("true", System.StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether the parameter is marked <c>[Owned]</c>: it takes ownership of what is passed.</summary>
    public bool IsOwned(IParameterSymbol parameter)
    {
        if (OwnedAttribute is null)
            return false;
        foreach (var attribute in parameter.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, OwnedAttribute))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The kind of owned value a variable of this type can hold, if any. Of the runtime's handles,
    /// the ones that own a transaction or a session lock: <c>PgSnapshot</c> and <c>PgAdvisoryLock</c>;
    /// and <c>PgBatchResults</c>, a reader.
    /// (A <c>PgSavepoint</c> lives inside its scope's transaction, which ends it anyway; a
    /// <c>PgListener</c> is internal to the <c>ListenAsync</c> stream, which closes it.)
    /// </summary>
    public ResourceKind? KindOfVariableType(ITypeSymbol? type)
    {
        if (type is null)
            return null;
        var abstractions = !NpgsqlTypesOnly;
        if (Is(type, NpgsqlTransaction) || abstractions && (Is(type, DbTransaction) || Is(type, IDbTransaction)))
            return ResourceKind.Transaction;
        if (Is(type, NpgsqlConnection) || abstractions && (Is(type, DbConnection) || Is(type, IDbConnection)) || IsReplicationConnection(type))
            return ResourceKind.Connection;
        if (Is(type, NpgsqlDataReader) || abstractions && (Is(type, DbDataReader) || Is(type, IDataReader)) || IsCopyOperation(type) || Is(type, PgBatchResults))
            return ResourceKind.DataReader;
        if (Is(type, PgSnapshot))
            return ResourceKind.Snapshot;
        if (Is(type, PgAdvisoryLock))
            return ResourceKind.AdvisoryLockGuard;
        return null;
    }

    /// <summary>A binary COPY importer or exporter: like a reader, it keeps its connection busy until it ends.</summary>
    public bool IsCopyOperation(ITypeSymbol? type)
        => type is not null && (Is(type, NpgsqlBinaryImporter) || Is(type, NpgsqlBinaryExporter));

    public bool IsCommandType(ITypeSymbol? type)
        => type is not null && (IsOrDerives(type, NpgsqlCommand) || IsOrDerives(type, NpgsqlBatch)
            || !NpgsqlTypesOnly && (Is(type, DbCommand) || Is(type, DbBatch) || Is(type, IDbCommand)));

    /// <summary>True when the type is one of the Npgsql or ADO.NET types the engine cares about (cheap pre-filter).</summary>
    public bool IsInteresting(ITypeSymbol? type)
        => KindOfVariableType(type) is not null || IsCommandType(type) || IsOrDerives(type, NpgsqlDataSource);

    /// <summary>
    /// Database types for deciding what an await waits for: the Npgsql and ADO.NET types, and the
    /// runtime's borrowed transaction handle (<c>PgTx</c>).
    /// </summary>
    public bool IsDatabaseType(ITypeSymbol? type)
        => IsInteresting(type) || (Scopes is not null && Scopes.IsPgTx(type));

    /// <summary>Npgsql's own API and the PgBorrow runtime only borrow what is passed to them.</summary>
    public static bool IsBorrowingLibrary(IMethodSymbol method)
    {
        // The libraries themselves, not a project's own code that happens to use their namespace names.
        if (method.DeclaringSyntaxReferences.Length > 0)
            return false;
        var ns = method.ContainingNamespace;
        while (ns is { IsGlobalNamespace: false })
        {
            if (ns.ContainingNamespace is { IsGlobalNamespace: true } && (ns.Name == "Npgsql" || ns.Name == "PgBorrow" || ns.Name == "Dapper"))
                return true;
            ns = ns.ContainingNamespace;
        }

        // ADO.NET base types (DbCommand.Transaction, DbConnection.BeginTransaction...) borrow too.
        return Infrastructure.SymbolNames.IsNamespace(method.ContainingNamespace, "System.Data")
            || Infrastructure.SymbolNames.IsNamespace(method.ContainingNamespace, "System.Data.Common");
    }

    public static bool Is(ITypeSymbol type, INamedTypeSymbol? expected)
        => expected is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, expected);

    public static bool IsOrDerives(ITypeSymbol? type, INamedTypeSymbol? expected)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (Is(current, expected))
                return true;
        }
        return false;
    }
}

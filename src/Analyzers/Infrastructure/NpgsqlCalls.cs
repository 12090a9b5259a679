using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>What an invocation does to the values the engine tracks.</summary>
internal enum CallKind
{
    Other,

    /// <summary>BeginTransaction(Async) on an Npgsql connection: creates a transaction.</summary>
    BeginTransaction,

    /// <summary>OpenConnection(Async)/CreateConnection on a data source, CloneWith: creates a connection.</summary>
    CreateConnection,

    /// <summary>ExecuteReader(Async) on an Npgsql command or batch: creates a reader and runs a command.</summary>
    ExecuteReader,

    /// <summary>ExecuteNonQuery/ExecuteScalar/Prepare (and async forms): runs a command.</summary>
    ExecuteCommand,

    Commit,

    /// <summary>Rollback of the whole transaction (not <c>Rollback(savepointName)</c>).</summary>
    Rollback,

    /// <summary>Dispose/DisposeAsync, and Close/CloseAsync of connections and readers.</summary>
    Dispose,

    /// <summary>Open/OpenAsync of a connection.</summary>
    Open,

    /// <summary>BeginBinaryImport(Async)/BeginBinaryExport(Async) on a connection: starts a COPY that keeps it busy.</summary>
    BeginCopy,

    /// <summary>A Dapper extension method on a connection: runs a command on it.</summary>
    DapperCommand,

    /// <summary>
    /// A query method of the PgBorrow runtime (QueryAsync, ExecuteAsync, QueryStreamAsync, CopyInAsync,
    /// InsertAsync...) on a connection, transaction or data source: runs a statement there.
    /// </summary>
    RuntimeStatement,

    /// <summary>A runtime method that returns a handle the caller owns (ExportSnapshotAsync, AdvisoryLockAsync...).</summary>
    CreateHandle,
}

/// <summary>Classifies Npgsql, ADO.NET and Dapper calls by symbol.</summary>
internal static class NpgsqlCalls
{
    public static CallKind Classify(IInvocationOperation invocation, NpgsqlSymbols symbols)
    {
        var method = invocation.TargetMethod;
        var container = method.ContainingType;
        if (container is null)
            return CallKind.Other;
        var receiverType = ReceiverType(invocation);

        // Dispose can be declared far up the hierarchy (NpgsqlConnection.Dispose is Component.Dispose).
        if (method.Name is "Dispose" or "DisposeAsync" && method.Parameters.Length == 0
            && (symbols.KindOfVariableType(receiverType) is not null || receiverType?.Name == "ConfiguredAsyncDisposable"))
            return CallKind.Dispose;

        if (IsConnectionApi(container, receiverType, symbols))
        {
            switch (method.Name)
            {
                case "BeginTransaction" or "BeginTransactionAsync" or "BeginDbTransaction" or "BeginDbTransactionAsync":
                    return CallKind.BeginTransaction;
                case "Open" or "OpenAsync":
                    return CallKind.Open;
                case "Dispose" or "DisposeAsync" or "Close" or "CloseAsync":
                    return CallKind.Dispose;
                case "CloneWith":
                    return CallKind.CreateConnection;
                case "BeginBinaryImport" or "BeginBinaryImportAsync" or "BeginBinaryExport" or "BeginBinaryExportAsync":
                    return CallKind.BeginCopy;
            }
            return CallKind.Other;
        }

        if (NpgsqlSymbols.IsOrDerives(container, symbols.NpgsqlDataSource)
            || (NpgsqlSymbols.Is(container, symbols.DbDataSource) && NpgsqlSymbols.IsOrDerives(receiverType, symbols.NpgsqlDataSource)))
        {
            return method.Name is "OpenConnection" or "OpenConnectionAsync" or "CreateConnection" or "OpenDbConnection" or "OpenDbConnectionAsync" or "CreateDbConnection"
                ? CallKind.CreateConnection
                : CallKind.Other;
        }

        if (IsTransactionApi(container, receiverType, symbols))
        {
            switch (method.Name)
            {
                case "Commit" or "CommitAsync":
                    return CallKind.Commit;
                case "Rollback" or "RollbackAsync" when !HasStringParameter(method):
                    return CallKind.Rollback;
                case "Dispose" or "DisposeAsync":
                    return CallKind.Dispose;
            }
            return CallKind.Other;
        }

        if (IsReaderApi(container, receiverType, symbols))
            return method.Name is "Dispose" or "DisposeAsync" or "Close" or "CloseAsync" ? CallKind.Dispose : CallKind.Other;

        // A COPY importer's Complete ends the COPY (and frees the connection); so does Dispose, which
        // cancels an import that was not completed.
        if (symbols.IsCopyOperation(container))
            return method.Name is "Dispose" or "DisposeAsync" or "Close" or "CloseAsync" or "Complete" or "CompleteAsync" or "Cancel" or "CancelAsync" ? CallKind.Dispose : CallKind.Other;

        if (IsCommandApi(container, receiverType, symbols))
        {
            return method.Name switch
            {
                "ExecuteReader" or "ExecuteReaderAsync" or "ExecuteDbDataReader" or "ExecuteDbDataReaderAsync" => CallKind.ExecuteReader,
                "ExecuteNonQuery" or "ExecuteNonQueryAsync" or "ExecuteScalar" or "ExecuteScalarAsync" or "Prepare" or "PrepareAsync" => CallKind.ExecuteCommand,
                _ => CallKind.Other,
            };
        }

        if (method.IsExtensionMethod && container.ContainingNamespace is { Name: "Dapper", ContainingNamespace.IsGlobalNamespace: true })
            return CallKind.DapperCommand;

        if (IsRuntimeStatement(invocation, receiverType, symbols))
            return CallKind.RuntimeStatement;

        if (IsRuntimeLibrary(method))
        {
            // PgAdvisoryLock.ReleaseAsync releases the lock: the guard is done.
            if (method.Name == "ReleaseAsync" && NpgsqlSymbols.Is(container, symbols.PgAdvisoryLock))
                return CallKind.Dispose;
            if (HandleKind(method.ReturnType, symbols) is not null)
                return CallKind.CreateHandle;
        }

        return CallKind.Other;
    }

    /// <summary>The handle kind a runtime method returns, directly or as the result of its task.</summary>
    public static ResourceKind? HandleKind(ITypeSymbol? returnType, NpgsqlSymbols symbols)
        => symbols.KindOfVariableType(ResultType(returnType)) is ResourceKind kind && kind is ResourceKind.Snapshot or ResourceKind.AdvisoryLockGuard
            ? kind
            : null;

    /// <summary>What a method returning <paramref name="returnType"/> gives its caller: the result of a task, or the value itself.</summary>
    static ITypeSymbol? ResultType(ITypeSymbol? returnType)
        => returnType is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } task && task.Name is "Task" or "ValueTask"
            ? task.TypeArguments[0]
            : returnType;

    /// <summary>A method of the PgBorrow runtime itself (not a project's own code in that namespace).</summary>
    public static bool IsRuntimeLibrary(IMethodSymbol method)
        => method.DeclaringSyntaxReferences.Length == 0
        && method.ContainingNamespace is { Name: "PgBorrow", ContainingNamespace.IsGlobalNamespace: true };

    /// <summary>
    /// A runtime extension method on a connection, transaction or data source that takes the text of
    /// what it runs (<see cref="StatementTextArgument"/>). Matched by shape, not by name, so that query
    /// methods added to the runtime later are statements too. PgTx receivers are the scope body's
    /// business (<c>OwnershipAnalysis.ScopeStatement</c>).
    /// </summary>
    static bool IsRuntimeStatement(IInvocationOperation invocation, ITypeSymbol? receiverType, NpgsqlSymbols symbols)
    {
        var method = invocation.TargetMethod;
        if (!method.IsExtensionMethod || receiverType is null || !IsRuntimeLibrary(method))
            return false;
        if (symbols.KindOfVariableType(receiverType) is not (ResourceKind.Connection or ResourceKind.Transaction)
            && !NpgsqlSymbols.IsOrDerives(receiverType, symbols.NpgsqlDataSource))
            return false;
        return StatementTextArgument(invocation) is not null;
    }

    /// <summary>
    /// The argument of a runtime query method that says what it runs: <c>sql</c> (a <c>PgSql</c>, a
    /// string, or the <c>PgBatch</c> of QueryMultipleAsync, whose text is not known), or <c>table</c> for
    /// the methods that write rows into a table (COPY, INSERT).
    /// </summary>
    public static IArgumentOperation? StatementTextArgument(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { Name: "sql" or "table" } parameter && parameter.Type.Name is "PgSql" or "String" or "PgBatch")
                return argument;
        }
        return null;
    }

    /// <summary>The operand without conversions, <c>await</c> and <c>.ConfigureAwait(..)</c>: what is really called.</summary>
    public static IOperation? UnwrapAwaited(IOperation? value)
    {
        value = Operations.Unwrap(value);
        if (value is IAwaitOperation awaited)
            value = Operations.Unwrap(awaited.Operation);
        if (value is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configureAwait)
            value = Operations.Unwrap(configureAwait.Instance);
        return value;
    }

    /// <summary>
    /// Whether <paramref name="value"/> creates an owned value: <c>new NpgsqlConnection</c>, Begin,
    /// OpenConnection/CreateConnection, ExecuteReader (possibly awaited, with ConfigureAwait), or a
    /// factory method of the compilation (<paramref name="factoryKind"/>). For transactions the
    /// connection operand, for readers the command operand.
    /// </summary>
    public static bool TryGetCreation(IOperation? value, NpgsqlSymbols symbols, Func<IMethodSymbol, ResourceKind?> factoryKind,
        out ResourceKind kind, out IOperation? connection, out IOperation? command)
    {
        kind = default;
        connection = null;
        command = null;
        switch (UnwrapAwaited(value))
        {
            case IObjectCreationOperation creation when NpgsqlSymbols.IsOrDerives(creation.Type, symbols.NpgsqlConnection) || symbols.IsReplicationConnection(creation.Type):
                kind = ResourceKind.Connection;
                return true;
            case IInvocationOperation invocation when ActivatorCreates(invocation, symbols) is ResourceKind created:
                kind = created;
                return true;
            case IInvocationOperation invocation:
                switch (Classify(invocation, symbols))
                {
                    case CallKind.BeginTransaction:
                        kind = ResourceKind.Transaction;
                        connection = Receiver(invocation);
                        return true;
                    case CallKind.CreateConnection:
                        kind = ResourceKind.Connection;
                        return true;
                    case CallKind.ExecuteReader:
                        kind = ResourceKind.DataReader;
                        command = Receiver(invocation);
                        return true;
                    case CallKind.BeginCopy:
                        kind = ResourceKind.DataReader;
                        connection = Receiver(invocation);
                        return true;
                    case CallKind.RuntimeStatement or CallKind.Other
                        when IsRuntimeLibrary(invocation.TargetMethod) && symbols.KindOfVariableType(ResultType(invocation.TargetMethod.ReturnType)) == ResourceKind.DataReader:
                        // QueryMultipleAsync (a statement on a connection or transaction; on a PgTx, the scope's):
                        // its results hold the batch's reader open on the receiver's connection.
                        kind = ResourceKind.DataReader;
                        connection = Receiver(invocation);
                        return true;
                    case CallKind.CreateHandle when HandleKind(invocation.TargetMethod.ReturnType, symbols) is ResourceKind handle:
                        kind = handle;
                        // A lock guard belongs to the connection that took it (for messages).
                        if (symbols.KindOfVariableType(ReceiverType(invocation)) == ResourceKind.Connection)
                            connection = Receiver(invocation);
                        return true;
                    case CallKind.Other when factoryKind(invocation.TargetMethod) is ResourceKind returned:
                        kind = returned;
                        return true;
                }
                break;
        }
        return false;
    }

    /// <summary>
    /// <c>Activator.CreateInstance&lt;T&gt;()</c> or <c>(T)Activator.CreateInstance(typeof(T), ...)</c> of a connection type (code
    /// written for several connection types at once): a new object the caller owns, like <c>new T(...)</c>.
    /// </summary>
    static ResourceKind? ActivatorCreates(IInvocationOperation invocation, NpgsqlSymbols symbols)
    {
        var method = invocation.TargetMethod;
        if (method.Name != "CreateInstance" || method.ContainingType is not { Name: "Activator", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } })
            return null;
        var created = method.IsGenericMethod
            ? method.TypeArguments[0]
            : invocation.Arguments.Length > 0 && Operations.Unwrap(invocation.Arguments[0].Value) is ITypeOfOperation typeOf ? typeOf.TypeOperand : null;
        return symbols.KindOfVariableType(created) == ResourceKind.Connection ? ResourceKind.Connection : null;
    }

    /// <summary>
    /// A method name that promises a new object for the caller: <c>Create…</c>, <c>Open…</c>, <c>New…</c>, <c>Build…</c>,
    /// and not one that may return an existing one (<c>CreateOrGet…</c>, <c>…Current…</c>, <c>…Shared…</c>, <c>…Existing…</c>).
    /// </summary>
    public static bool IsCreatorName(string name)
        => (name.StartsWith("Create", StringComparison.Ordinal) || name.StartsWith("Open", StringComparison.Ordinal)
                || name.StartsWith("New", StringComparison.Ordinal) || name.StartsWith("Build", StringComparison.Ordinal))
            && name.IndexOf("Get", StringComparison.Ordinal) < 0 && name.IndexOf("Current", StringComparison.Ordinal) < 0
            && name.IndexOf("Shared", StringComparison.Ordinal) < 0 && name.IndexOf("Existing", StringComparison.Ordinal) < 0;

    /// <summary>The receiver of an instance call, or the <c>this</c> argument of an extension method.</summary>
    public static IOperation? Receiver(IInvocationOperation invocation)
        => invocation.Instance ?? (invocation.TargetMethod.IsExtensionMethod && invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null);

    static ITypeSymbol? ReceiverType(IInvocationOperation invocation)
    {
        var receiver = Receiver(invocation);
        while (receiver is IConversionOperation conversion)
            receiver = conversion.Operand;
        return receiver?.Type;
    }

    static bool HasStringParameter(IMethodSymbol method)
    {
        foreach (var parameter in method.Parameters)
        {
            if (parameter.Type.SpecialType == SpecialType.System_String)
                return true;
        }
        return false;
    }

    static bool IsConnectionApi(INamedTypeSymbol container, ITypeSymbol? receiverType, NpgsqlSymbols s)
        => NpgsqlSymbols.IsOrDerives(container, s.NpgsqlConnection)
        || ((NpgsqlSymbols.Is(container, s.DbConnection) || NpgsqlSymbols.Is(container, s.IDbConnection) || IsDisposableInterface(container))
            && (NpgsqlSymbols.IsOrDerives(receiverType, s.NpgsqlConnection) || NpgsqlSymbols.Is(receiverType!, s.DbConnection) || NpgsqlSymbols.Is(receiverType!, s.IDbConnection)));

    static bool IsTransactionApi(INamedTypeSymbol container, ITypeSymbol? receiverType, NpgsqlSymbols s)
        => NpgsqlSymbols.IsOrDerives(container, s.NpgsqlTransaction)
        || ((NpgsqlSymbols.Is(container, s.DbTransaction) || NpgsqlSymbols.Is(container, s.IDbTransaction) || IsDisposableInterface(container))
            && receiverType is not null && s.KindOfVariableType(receiverType) == ResourceKind.Transaction);

    static bool IsReaderApi(INamedTypeSymbol container, ITypeSymbol? receiverType, NpgsqlSymbols s)
        => NpgsqlSymbols.IsOrDerives(container, s.NpgsqlDataReader)
        || ((NpgsqlSymbols.Is(container, s.DbDataReader) || NpgsqlSymbols.Is(container, s.IDataReader) || IsDisposableInterface(container))
            && receiverType is not null && s.KindOfVariableType(receiverType) == ResourceKind.DataReader);

    static bool IsCommandApi(INamedTypeSymbol container, ITypeSymbol? receiverType, NpgsqlSymbols s)
        => NpgsqlSymbols.IsOrDerives(container, s.NpgsqlCommand)
        || NpgsqlSymbols.IsOrDerives(container, s.NpgsqlBatch)
        || ((NpgsqlSymbols.Is(container, s.DbCommand) || NpgsqlSymbols.Is(container, s.DbBatch) || NpgsqlSymbols.Is(container, s.IDbCommand))
            && (NpgsqlSymbols.IsOrDerives(receiverType, s.NpgsqlCommand) || NpgsqlSymbols.IsOrDerives(receiverType, s.NpgsqlBatch)));

    // Compared by name and namespace, not ToDisplayString: this runs for every classified call, and
    // building a display string was a tenth of the engine's time.
    static bool IsDisposableInterface(INamedTypeSymbol container)
        => container.SpecialType == SpecialType.System_IDisposable
        || container is { Name: "IAsyncDisposable", Arity: 0, ContainingType: null, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };
}

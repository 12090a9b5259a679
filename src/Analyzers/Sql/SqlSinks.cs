using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Sql;

/// <summary>
/// Where command text enters Npgsql (or the ADO.NET abstractions over it: <c>DbCommand</c>,
/// <c>IDbCommand</c>, <c>DbBatchCommand</c>): the command and batch-command constructors, <c>CommandText</c>,
/// <c>NpgsqlDataSource.CreateCommand</c>, the COPY starters of a connection (<c>BeginBinaryImport</c>...), Dapper's <c>sql</c> argument, and the sinks a team names
/// in <c>.editorconfig</c> (<c>dotnet_code_quality.PGB201.additional_sinks</c>).
/// </summary>
internal sealed class SqlSinks
{
    public const string AdditionalSinksOption = "dotnet_code_quality.PGB201.additional_sinks";

    readonly NpgsqlSymbols _symbols;
    readonly INamedTypeSymbol? _batchCommand;
    readonly INamedTypeSymbol? _dbBatchCommand;

    public SqlSinks(Compilation compilation, NpgsqlSymbols symbols)
    {
        _symbols = symbols;
        _batchCommand = compilation.GetTypeByMetadataName("Npgsql.NpgsqlBatchCommand");
        _dbBatchCommand = compilation.GetTypeByMetadataName("System.Data.Common.DbBatchCommand");
    }

    /// <summary>The SQL operand of a sink, and a name for the sink in messages.</summary>
    public (IOperation Sql, string Sink)? SqlOf(IOperation operation, IReadOnlyList<string> additionalSinks)
    {
        switch (operation)
        {
            case IObjectCreationOperation creation when IsCommandType(creation.Type):
                // Commands and batch commands alike: every text that reaches the server is a sink.
                return CommandShape.Read(creation, _symbols).TextArgument is IArgumentOperation text
                    ? (text.Value, "new " + creation.Type!.Name)
                    : null;

            case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation property } assignment
                when CommandShape.PropertyOf(property) == CommandProperty.CommandText && IsCommandText(property):
                return (assignment.Value, "CommandText");

            case IInvocationOperation invocation:
                return SqlOfInvocation(invocation, additionalSinks);
        }
        return null;
    }

    bool IsCommandText(IPropertyReferenceOperation property)
        => IsCommandType(property.Instance?.Type ?? property.Property.ContainingType);

    /// <summary>
    /// Npgsql's command and batch command, and the ADO.NET abstractions code is often written against
    /// (<c>DbCommand</c>, <c>IDbCommand</c>, <c>DbBatchCommand</c>) with Npgsql underneath at run time.
    /// </summary>
    bool IsCommandType(ITypeSymbol? type)
    {
        if (type is null)
            return false;
        if (NpgsqlSymbols.IsOrDerives(type, _symbols.NpgsqlCommand) || NpgsqlSymbols.IsOrDerives(type, _batchCommand))
            return true;
        if (_symbols.NpgsqlTypesOnly)
            return false;
        if (NpgsqlSymbols.IsOrDerives(type, _symbols.DbCommand) || NpgsqlSymbols.IsOrDerives(type, _dbBatchCommand))
            return true;
        if (_symbols.IDbCommand is INamedTypeSymbol dbCommandInterface)
        {
            if (NpgsqlSymbols.Is(type, dbCommandInterface))
                return true;
            foreach (var implemented in type.AllInterfaces)
            {
                if (NpgsqlSymbols.Is(implemented, dbCommandInterface))
                    return true;
            }
        }
        return false;
    }

    (IOperation, string)? SqlOfInvocation(IInvocationOperation invocation, IReadOnlyList<string> additionalSinks)
    {
        var method = invocation.TargetMethod;
        var container = method.ContainingType;
        if (container is null)
            return null;

        if (method.Name == "CreateCommand" && NpgsqlSymbols.IsOrDerives(container, _symbols.NpgsqlDataSource))
            return Argument(invocation, "commandText", method.Name);

        // COPY runs the text it is given as a statement, like a command (the table and columns it names).
        if (IsCopyStart(method.Name) && NpgsqlSymbols.IsOrDerives(container, _symbols.NpgsqlConnection))
            return FirstText(invocation, method.Name);

        if (method.IsExtensionMethod && container.ContainingNamespace is { Name: "Dapper", ContainingNamespace.IsGlobalNamespace: true })
            return Argument(invocation, "sql", method.Name);

        if (additionalSinks.Count > 0 && MemberList.Matches(MemberList.NameOf(method), additionalSinks))
            return FirstText(invocation, method.Name);
        return null;
    }

    static bool IsCopyStart(string name)
        => name is "BeginBinaryImport" or "BeginBinaryImportAsync" or "BeginTextImport" or "BeginTextImportAsync"
            or "BeginBinaryExport" or "BeginBinaryExportAsync" or "BeginTextExport" or "BeginTextExportAsync"
            or "BeginRawBinaryCopy" or "BeginRawBinaryCopyAsync";

    /// <summary>The first text argument the call passes (a sink whose SQL parameter has no fixed name).</summary>
    static (IOperation, string)? FirstText(IInvocationOperation invocation, string sink)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { Type.SpecialType: SpecialType.System_String } && argument.ArgumentKind != ArgumentKind.DefaultValue)
                return (argument.Value, sink);
        }
        return null;
    }

    static (IOperation, string)? Argument(IInvocationOperation invocation, string parameterName, string sink)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name == parameterName && argument.ArgumentKind != ArgumentKind.DefaultValue)
                return (argument.Value, sink);
        }
        return null;
    }

    /// <summary>
    /// PgBorrow's own query API takes SQL as a <c>PgSql</c> interpolated-string handler, where every
    /// hole is a parameter. A plain string reaches it only through the implicit conversion, or through
    /// the connection overloads that take constant SQL as a <c>string</c> (they settle calls that Dapper's
    /// overloads would make ambiguous), and then any non-constant string is suspect (there is no reason
    /// to pass one): that string, or null when the call passes no string as a runtime query's SQL.
    /// </summary>
    public static (IOperation Sql, string Sink)? StringConvertedToPgSql(IOperation operation)
    {
        if (operation is not IInvocationOperation invocation)
            return null;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Type is { Name: "PgSql", ContainingNamespace: { Name: "PgBorrow", ContainingNamespace.IsGlobalNamespace: true } }
                && argument.Value is IConversionOperation { OperatorMethod: not null, Operand.Type.SpecialType: SpecialType.System_String } conversion)
            {
                return (conversion.Operand, invocation.TargetMethod.Name);
            }
            if (argument.Parameter is { Name: "sql", Type.SpecialType: SpecialType.System_String }
                && argument.ArgumentKind != ArgumentKind.DefaultValue
                && NpgsqlCalls.IsRuntimeLibrary(invocation.TargetMethod))
            {
                return (argument.Value, invocation.TargetMethod.Name);
            }
        }
        return null;
    }
}

using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Generators.Queries;

namespace PgBorrow.Analyzers.Sql;

/// <summary>Which API sends a statement: it decides how the text written becomes the text the server receives.</summary>
internal enum SentStatementApi
{
    /// <summary>PgBorrow's query API (<c>QueryAsync&lt;T&gt;</c>, <c>ExecuteAsync</c>...): holes of the interpolated SQL become <c>$1..$n</c>.</summary>
    RuntimeQuery,

    /// <summary><c>NpgsqlCommand</c>/<c>NpgsqlBatchCommand</c> text (constructor, <c>CommandText</c>, <c>NpgsqlDataSource.CreateCommand</c>).</summary>
    Command,

    /// <summary>A Dapper extension method's <c>sql</c> argument.</summary>
    Dapper,
}

/// <summary>
/// One statement the code sends: the operation that sends it, a name for the sink, the API, and the text the server
/// receives (<see cref="CommandText"/>), or null with the reason it cannot be described without running the code.
/// </summary>
internal sealed record SentStatement(IOperation Operation, string Sink, SentStatementApi Api, string? CommandText, SentStatementSkip Skip)
{
    /// <summary>For the runtime query API, the holes of the interpolated SQL in order: the <c>AppendFormatted</c> call of <c>$1</c> first.</summary>
    public IReadOnlyList<IInvocationOperation> Holes { get; init; } = Array.Empty<IInvocationOperation>();
}

/// <summary>Why a sent statement has no text to describe.</summary>
internal enum SentStatementSkip
{
    None,

    /// <summary>The text is built at run time (not a constant, not an interpolated runtime query).</summary>
    NotConstant,

    /// <summary>
    /// The text is not one statement that PostgreSQL can prepare (SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES,
    /// TABLE): DDL, SET, COPY, several statements in one text, a Dapper literal <c>{=name}</c>.
    /// </summary>
    NotPreparable,
}

/// <summary>
/// Finds the statements a compilation sends to PostgreSQL and the exact text each sends, for <c>pgborrow prepare</c>
/// (which describes them) and the offline checks (which look up what it recorded). The sinks are the SQL rules' own
/// (<see cref="SqlSinks"/>) plus the runtime query API; the text is rewritten the way it travels:
/// <list type="bullet">
/// <item>Runtime query API: each hole of the interpolated <c>PgSql</c> becomes <c>$1</c>, <c>$2</c>... in order, as
/// <c>PgSql.AppendFormatted</c> writes it; a constant string is sent as it is.</item>
/// <item>Commands and Dapper: each <c>@name</c> (outside strings and comments) becomes <c>$n</c>, numbered by first
/// appearance, a repeated name keeping its number, which is what Npgsql does to a command whose parameters are named
/// (Dapper adds the parameter object's members as named parameters). Text without <c>@name</c> is sent as it is.</item>
/// </list>
/// </summary>
internal sealed class SentStatementFinder
{
    private static readonly HashSet<string> PreparableVerbs = new(StringComparer.Ordinal) { "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "TABLE" };
    private static readonly string[] NoAdditionalSinks = Array.Empty<string>();

    private readonly SqlSinks? _sinks;

    public SentStatementFinder(Compilation compilation, AnalyzerOptions options)
    {
        // Without Npgsql in the compilation only the runtime query API can be found (its types are PgBorrow's).
        if (NpgsqlSymbols.TryCreate(compilation, options) is NpgsqlSymbols symbols)
            _sinks = new SqlSinks(compilation, symbols);
    }

    /// <summary>The statement <paramref name="operation"/> sends, when it is a sink (an object creation, an assignment or a call).</summary>
    public SentStatement? Find(IOperation operation)
    {
        if (operation is IInvocationOperation invocation && RuntimeQueryText(invocation) is { } runtime)
            return runtime;
        if (_sinks?.SqlOf(operation, NoAdditionalSinks) is not (IOperation sql, string sink))
            return null;

        var api = operation is IInvocationOperation { TargetMethod.ContainingNamespace: { Name: "Dapper", ContainingNamespace.IsGlobalNamespace: true } }
            ? SentStatementApi.Dapper
            : SentStatementApi.Command;
        if (sql.ConstantValue.Value is not string text)
            return new SentStatement(operation, sink, api, null, SentStatementSkip.NotConstant);
        // COPY and Dapper's literal replacement ({=name}, spliced in by Dapper before Npgsql sees the text) cannot be prepared.
        if (sink.StartsWith("Begin", StringComparison.Ordinal) || (api == SentStatementApi.Dapper && text.Contains("{=")))
            return new SentStatement(operation, sink, api, null, SentStatementSkip.NotPreparable);
        var named = PgQuerySqlText.Parse(text);
        if (named.Names.Count > 0 && named.HasPositionalParameters)
            return new SentStatement(operation, sink, api, null, SentStatementSkip.NotPreparable);
        return Checked(operation, sink, api, named.CommandText);
    }

    /// <summary>A call to PgBorrow's query API and the SQL it sends, or null for any other call.</summary>
    private static SentStatement? RuntimeQueryText(IInvocationOperation invocation)
    {
        // The runtime assembly itself, by name: a project that references src/Runtime as a project (not a package) sees
        // its methods with their source, which NpgsqlCalls.IsRuntimeLibrary takes for the user's own code.
        if (invocation.TargetMethod.ContainingAssembly?.Name != "PgBorrow"
            || invocation.TargetMethod.ContainingNamespace is not { Name: "PgBorrow", ContainingNamespace.IsGlobalNamespace: true })
        {
            return null;
        }
        foreach (var argument in invocation.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue || argument.Parameter is not { } parameter)
                continue;
            var sink = invocation.TargetMethod.Name;
            if (parameter.Type is { Name: "PgSql", ContainingNamespace: { Name: "PgBorrow", ContainingNamespace.IsGlobalNamespace: true } })
            {
                var holes = new List<IInvocationOperation>();
                var text = PgSqlText(argument.Value, holes);
                return text is null
                    ? new SentStatement(invocation, sink, SentStatementApi.RuntimeQuery, null, SentStatementSkip.NotConstant)
                    : Checked(invocation, sink, SentStatementApi.RuntimeQuery, text) with { Holes = holes };
            }
            if (parameter is { Name: "sql", Type.SpecialType: SpecialType.System_String })
            {
                return argument.Value.ConstantValue.Value is string text
                    ? Checked(invocation, sink, SentStatementApi.RuntimeQuery, text)
                    : new SentStatement(invocation, sink, SentStatementApi.RuntimeQuery, null, SentStatementSkip.NotConstant);
            }
        }
        return null;
    }

    /// <summary>
    /// The text a <c>PgSql</c> argument sends: a constant string as it is, an interpolated string with its holes
    /// numbered <c>$1..$n</c> from the left (the handler numbers them as it appends them), each hole's call added to
    /// <paramref name="holes"/>; null when built at run time.
    /// </summary>
    private static string? PgSqlText(IOperation value, List<IInvocationOperation> holes)
    {
        if (value is IConversionOperation { OperatorMethod: not null } conversion)
            return conversion.Operand.ConstantValue.Value as string;
        if (value is not IInterpolatedStringHandlerCreationOperation handler)
            return null;
        var text = new StringBuilder();
        return AppendInterpolated(handler.Content, text, holes) ? text.ToString() : null;
    }

    private static bool AppendInterpolated(IOperation content, StringBuilder text, List<IInvocationOperation> holes)
    {
        switch (content)
        {
            // $"..." + $"..." given to a handler: the parts are appended left to right.
            case IInterpolatedStringAdditionOperation addition:
                return AppendInterpolated(addition.Left, text, holes) && AppendInterpolated(addition.Right, text, holes);
            case IInterpolatedStringOperation interpolated:
                foreach (var part in interpolated.Parts)
                {
                    if (part is IInterpolatedStringAppendOperation { Kind: OperationKind.InterpolatedStringAppendLiteral, AppendCall: IInvocationOperation { Arguments.Length: > 0 } call }
                        && call.Arguments[0].Value.ConstantValue.Value is string literal)
                    {
                        text.Append(literal);
                    }
                    else if (part is IInterpolatedStringAppendOperation { Kind: OperationKind.InterpolatedStringAppendFormatted, AppendCall: IInvocationOperation hole })
                    {
                        holes.Add(hole);
                        text.Append('$').Append(holes.Count);
                    }
                    else
                    {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }

    private static SentStatement Checked(IOperation operation, string sink, SentStatementApi api, string commandText)
        => IsOnePreparableStatement(commandText)
            ? new SentStatement(operation, sink, api, commandText, SentStatementSkip.None)
            : new SentStatement(operation, sink, api, null, SentStatementSkip.NotPreparable);

    /// <summary>Only these statements can be described without running them (PREPARE accepts no others).</summary>
    private static bool IsOnePreparableStatement(string commandText)
    {
        var statements = SqlClassifier.Classify(commandText).Statements;
        return statements.Count == 1 && PreparableVerbs.Contains(statements[0].Verb);
    }
}
